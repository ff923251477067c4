/**
 * The `memlens` command line, parsed into a command. Options stop at the script (or `-m module`):
 * everything after it belongs to the program, as with `python` itself.
 */
import { PROFILE_MODES, type ProfileMode } from '../protocol/snapshot';
import { EXIT_STATUS_HELP } from './exitCodes';

/** A parsed command line. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'profile';
      /** Write the snapshot here as well (atomically, after the exit status is recorded). */
      json?: string;
      top: number;
      /** How allocations are tracked (`--mode`; default fast). */
      mode: ProfileMode;
      /** Fast mode's mean sampling interval, bytes (`--sample-interval`); unset keeps the helper's default. */
      sampleInterval?: number;
      frames: number;
      python?: string;
      /** Folders whose files count as user code; empty means the default (script folder or cwd). */
      roots: string[];
      peak: boolean;
      /** The script path, or `-m`'s module. */
      target: { script: string } | { module: string };
      /** The program's own arguments. */
      args: string[];
    }
  | { kind: 'show'; file: string; top: number }
  | {
      kind: 'compare';
      before: string;
      after: string;
      top: number;
      /** Also write the comparison here: CSV (every line) when the name ends in .csv, else JSON. */
      out?: string;
    }
  | { kind: 'leaks'; files: string[]; top: number }
  | {
      kind: 'smaps';
      /** A running process by id, or a snapshot whose `process.smaps` holds the maps. */
      target: { pid: number } | { file: string };
      /** Rows of the file ranking. */
      top: number;
    };

/** A command line that cannot be run; the message is a sentence for the user. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The text of `memlens --help`. */
export const USAGE = `Usage:
  memlens profile [options] script.py [args...]
  memlens profile [options] -m module [args...]
  memlens show snapshot.json [--top N]
  memlens compare before.json after.json [--top N] [--out FILE.json|FILE.csv]
  memlens leaks first.json second.json third.json... [--top N]
  memlens smaps PID|snapshot.json [--top N]
  memlens --help | --version

Runs a Python program under MemLens's helper and prints the source lines holding the most memory
at exit and at the traced peak. The program keeps the terminal (it can read input);
the report follows when it has finished. Options go before the script: everything after the
script or module belongs to the program.

Options of profile:
  --json FILE      also write the snapshot to FILE (open it in VS Code with MemLens); checked
                   before the run, and FILE.lock keeps a second run from writing it too
  --top N          rows per table (default 10)
  --mode MODE      how allocations are tracked (default fast):
                     fast   a native sampler: about the speed of plain Python, 64 frames deep,
                            the peak view taken at the peak; byte figures are estimates (≈)
                     exact  tracemalloc: every block counted, slower (the mode used where fast
                            cannot run, which MemLens says once)
                     light  no allocation tracking: process memory, memory maps, timeline,
                            imports and GC only, for the longest runs
  --sample-interval BYTES
                   fast mode's mean interval between samples (default 8192; from 1024 to
                   1048576): smaller is more precise on small lines and costs more
  --frames N       exact mode's tracemalloc frame depth (default 8; deeper reaches your line
                   behind more library calls, but slows the program)
  --python PATH    the interpreter (default: $MEMLENS_PYTHON, then python3 or python on PATH)
  --root DIR       count files under DIR as your code (repeatable; default: the script's folder,
                   or the current folder with -m)
  --no-peak        do not capture the per-line view at the traced peak

compare prints what grew from one snapshot to another (per line, type and memory mapping, and in
total); --out also writes the comparison as JSON, or its lines as CSV. leaks lists the lines and
types that grew in every interval between three or more snapshots of one program, fastest first.
Snapshots taken during a run (the program calls sys.audit("memlens.snapshot", "label")) are
written beside --json FILE as FILE-1.json, FILE-2.json…

smaps prints the memory maps of a running process (Linux, your own processes) or of a snapshot's
program at exit: mapped files and anonymous memory by permission class (code r-xp, data rw-p,
read-only r--p, guard ---p, shared r--s/rw-s) with Shared_Clean, Shared_Dirty, Private_Clean and
Private_Dirty, totals, writable memory (private dirty: what the process costs the system) and
the files holding the most private dirty memory (--top N, default 10).

Ctrl+C, kill and closing the terminal stop the program with the same signal (SIGINT, SIGTERM,
SIGHUP), then SIGTERM after 3 s, then SIGKILL after 3 s more (while MemLens writes the exit
snapshot it waits up to a minute first); Ctrl+Z suspends the program with memlens, and fg or bg
resumes both. A script whose name starts with - is run as ./NAME (memlens profile -- -x.py).

${EXIT_STATUS_HELP}`;

const DEFAULT_TOP = 10;
const DEFAULT_FRAMES = 8;
/** The bounds of `--sample-interval`, bytes: those of the `memlens.sampleIntervalKiB` setting (1 to 1024 KiB). */
const SAMPLE_INTERVAL_MIN = 1024;
const SAMPLE_INTERVAL_MAX = 1024 * 1024;

/**
 * Parses the arguments after `memlens`.
 *
 * @throws UsageError for an unknown option, a missing or bad value, or a missing script.
 */
export function parseArgs(argv: readonly string[]): CliCommand {
  const [verb, ...rest] = argv;
  switch (verb) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      return { kind: 'help' };
    case '-V':
    case '--version':
      return { kind: 'version' };
    case 'profile':
      return parseProfile(rest);
    case 'show':
      return parseShow(rest);
    case 'smaps':
      return parseSmaps(rest);
    case 'compare':
      return parseCompare(rest);
    case 'leaks':
      return parseLeaks(rest);
    default:
      throw new UsageError(`"${verb}" is not a memlens command; use "memlens profile script.py", "memlens show file.json" or see memlens --help.`);
  }
}

/** Walks options of the form `--name value` or `--name=value`. */
class Options {
  private i = 0;
  constructor(private readonly argv: readonly string[]) {}

  /** The next argument, or undefined at the end. */
  peek(): string | undefined {
    return this.argv[this.i];
  }

  /** Consumes the next argument. */
  next(): string {
    return this.argv[this.i++];
  }

  /** Everything not yet consumed. */
  rest(): string[] {
    return this.argv.slice(this.i);
  }

  /** The value of option `name` whose `--name` or `--name=value` was just consumed as `arg`. */
  value(arg: string, name: string): string {
    const eq = arg.indexOf('=');
    if (eq >= 0) return arg.slice(eq + 1);
    const v = this.argv[this.i];
    if (v === undefined) throw new UsageError(`${name} needs a value.`);
    this.i++;
    return v;
  }
}

/** The options of `memlens profile`: everything before the script. */
type ProfileOptions = Omit<Extract<CliCommand, { kind: 'profile' }>, 'kind' | 'target' | 'args'>;

function parseProfile(argv: readonly string[]): CliCommand {
  const o = new Options(argv);
  const opts: ProfileOptions = { top: DEFAULT_TOP, mode: 'fast', frames: DEFAULT_FRAMES, roots: [], peak: true };
  for (let arg = o.peek(); arg !== undefined; arg = o.peek()) {
    if (!arg.startsWith('-') || arg === '-') break;
    o.next();
    // `-mmodule`, as python itself accepts.
    if (/^-m[^=]/.test(arg)) return profileCommand(opts, { module: arg.slice(2) }, o.rest());
    const name = arg.split('=')[0];
    switch (name) {
      case '--':
        return profileTarget(o.rest(), opts);
      case '-m':
        return profileCommand(opts, { module: o.value(arg, '-m') }, o.rest());
      case '--json':
        opts.json = o.value(arg, name);
        break;
      case '--top':
        opts.top = positiveInt(o.value(arg, name), name, 1_000_000);
        break;
      case '--mode':
        opts.mode = profileMode(o.value(arg, name));
        break;
      case '--sample-interval':
        opts.sampleInterval = intIn(o.value(arg, name), name, SAMPLE_INTERVAL_MIN, SAMPLE_INTERVAL_MAX);
        break;
      case '--frames':
        opts.frames = positiveInt(o.value(arg, name), name, 1000);
        break;
      case '--python':
        opts.python = o.value(arg, name);
        break;
      case '--root':
        opts.roots.push(o.value(arg, name));
        break;
      case '--no-peak':
        opts.peak = false;
        break;
      default:
        throw new UsageError(
          `${name} is not an option of memlens profile (see memlens --help); ` +
            `to run a script named ${arg}, put -- before it: memlens profile -- ${arg}`,
        );
    }
  }
  return profileTarget(o.rest(), opts);
}

function profileTarget(rest: string[], opts: ProfileOptions): CliCommand {
  const [script, ...args] = rest;
  if (script === undefined) throw new UsageError('memlens profile needs a script to run (or -m module).');
  return profileCommand(opts, { script }, args);
}

/** The profile command, once its options are all read: they are checked against each other here. */
function profileCommand(opts: ProfileOptions, target: { script: string } | { module: string }, args: string[]): CliCommand {
  if (opts.sampleInterval !== undefined && opts.mode !== 'fast') {
    throw new UsageError(`--sample-interval applies to fast mode only; drop it, or use --mode fast instead of --mode ${opts.mode}.`);
  }
  return { kind: 'profile', ...opts, target, args };
}

/** The value of `--mode`. */
function profileMode(text: string): ProfileMode {
  const mode = PROFILE_MODES.find((m) => m === text);
  if (mode === undefined) throw new UsageError(`--mode needs fast, exact or light, not "${text}".`);
  return mode;
}

function parseShow(argv: readonly string[]): CliCommand {
  const o = new Options(argv);
  let file: string | undefined;
  let top = DEFAULT_TOP;
  for (let arg = o.peek(); arg !== undefined; arg = o.peek()) {
    o.next();
    const name = arg.split('=')[0];
    if (name === '--top') top = positiveInt(o.value(arg, name), name, 1_000_000);
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`${name} is not an option of memlens show (see memlens --help).`);
    else if (file === undefined) file = arg;
    else throw new UsageError('memlens show reads one snapshot file at a time.');
  }
  if (file === undefined) throw new UsageError('memlens show needs a snapshot file.');
  return { kind: 'show', file, top };
}

function parseCompare(argv: readonly string[]): CliCommand {
  const o = new Options(argv);
  const files: string[] = [];
  let top = DEFAULT_TOP;
  let out: string | undefined;
  for (let arg = o.peek(); arg !== undefined; arg = o.peek()) {
    o.next();
    const name = arg.split('=')[0];
    if (name === '--top') top = positiveInt(o.value(arg, name), name, 1_000_000);
    else if (name === '--out') out = o.value(arg, name);
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`${name} is not an option of memlens compare (see memlens --help).`);
    else files.push(arg);
  }
  if (files.length !== 2) throw new UsageError(`memlens compare needs two snapshot files, the earlier first (${files.length} given).`);
  return { kind: 'compare', before: files[0], after: files[1], top, out };
}

function parseLeaks(argv: readonly string[]): CliCommand {
  const o = new Options(argv);
  const files: string[] = [];
  let top = DEFAULT_TOP;
  for (let arg = o.peek(); arg !== undefined; arg = o.peek()) {
    o.next();
    const name = arg.split('=')[0];
    if (name === '--top') top = positiveInt(o.value(arg, name), name, 1_000_000);
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`${name} is not an option of memlens leaks (see memlens --help).`);
    else files.push(arg);
  }
  if (files.length < 3) throw new UsageError(`memlens leaks needs at least three snapshot files of one program (${files.length} given).`);
  return { kind: 'leaks', files, top };
}

function parseSmaps(argv: readonly string[]): CliCommand {
  const o = new Options(argv);
  let what: string | undefined;
  let top = DEFAULT_TOP;
  for (let arg = o.peek(); arg !== undefined; arg = o.peek()) {
    o.next();
    const name = arg.split('=')[0];
    if (name === '--top') top = positiveInt(o.value(arg, name), name, 1_000_000);
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`${name} is not an option of memlens smaps (see memlens --help).`);
    else if (what === undefined) what = arg;
    else throw new UsageError('memlens smaps reads one process or snapshot at a time.');
  }
  if (what === undefined) throw new UsageError('memlens smaps needs a process id or a snapshot file.');
  // All digits is a process id; a snapshot file named only by digits can be given as ./123.
  if (/^\d+$/.test(what)) {
    const pid = Number(what);
    if (pid < 1 || !Number.isSafeInteger(pid)) throw new UsageError(`${what} is not a process id.`);
    return { kind: 'smaps', target: { pid }, top };
  }
  return { kind: 'smaps', target: { file: what }, top };
}

function positiveInt(text: string, name: string, max: number): number {
  return intIn(text, name, 1, max);
}

function intIn(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`${name} needs a whole number from ${min} to ${max}, not "${text}".`);
  }
  return n;
}
