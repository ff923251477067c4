/**
 * What a snapshot's command line ran, read in one place for every view that names a program: the
 * panel and the Snapshots view (`programName`), the CLI's header (`report.ts`) and the comparison
 * checks (`compat.ts`) each word it their own way, but they must agree on what it is.
 */

/** What a command line ran: a script, a module (`-m`), a command (`-c`) or standard input. */
export interface CommandTarget {
  kind: 'script' | 'module' | 'command' | 'stdin' | 'unknown';
  /** The script's path as written, the module's name, the command's text; '' for stdin and unknown. */
  value: string;
}

/** Options of `python` that take a value (`-W error`, `-X dev`), besides `-c` and `-m`. */
const SHORT_WITH_VALUE = new Set(['W', 'X']);
const LONG_WITH_VALUE = new Set(['--check-hash-based-pycs']);

/**
 * What the program's command line ran. `argv` is the interpreter's own command line
 * (`sys.orig_argv`: interpreter, its options, then the script or `-m module` or `-c command` and
 * the program's arguments); before Python 3.10 the helper writes `[sys.executable, *sys.argv]`,
 * where a `-m` module already appears as its file's path, so it reads as a script.
 */
export function commandTarget(argv: readonly string[]): CommandTarget {
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-') return { kind: 'stdin', value: '' };
    if (arg === '--') return i + 1 < argv.length ? { kind: 'script', value: argv[i + 1] } : UNKNOWN;
    if (arg.startsWith('--')) {
      if (LONG_WITH_VALUE.has(arg)) i++;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // A cluster of short options (`-Bu`, `-Wdefault`, `-um pkg`): a value-taking option takes
      // the rest of the cluster, or the next argument.
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j];
        if (c !== 'c' && c !== 'm' && !SHORT_WITH_VALUE.has(c)) continue;
        const rest = arg.slice(j + 1);
        const value = rest !== '' ? rest : argv[++i];
        if (c === 'm') return value === undefined ? UNKNOWN : { kind: 'module', value };
        if (c === 'c') return { kind: 'command', value: value ?? '' };
        break;
      }
      continue;
    }
    return { kind: 'script', value: arg };
  }
  return UNKNOWN;
}

const UNKNOWN: CommandTarget = { kind: 'unknown', value: '' };

/**
 * What the program is called in lists and titles: the script's file name, `-m module`, `-c`, `-`
 * for standard input, else the interpreter's file name (a command line with no program in it).
 */
export function programName(argv: readonly string[]): string {
  const t = commandTarget(argv);
  switch (t.kind) {
    case 'script':
      return baseName(t.value);
    case 'module':
      return `-m ${t.value}`;
    case 'command':
      return '-c';
    case 'stdin':
      return '-';
    case 'unknown':
      return baseName(argv[0] ?? '') || 'python';
  }
}

/**
 * The last segment of a path, for either separator: a snapshot may come from another OS than the
 * one reading it, so `path.basename` of the reader's platform would not do.
 */
export function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}
