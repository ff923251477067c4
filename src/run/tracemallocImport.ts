/**
 * Runs the helper's tracemalloc importer (`python-helper/memlens_helper/tracemalloc_import.py`):
 * a file written by `tracemalloc.Snapshot.dump()` becomes a snapshot document. A dump is a
 * pickle, which can run code when loaded, so it is never read here, only in that separate Python
 * process, whose unpickler accepts tracemalloc's two classes and nothing else.
 *
 * The interpreter runs with `-E -S`: no `PYTHON*` variable (a `PYTHONPATH` that shadows `pickle`,
 * `PYTHONINSPECT` that would wait at a prompt) and no `site` (so no `sitecustomize`, the helper's
 * own included, starts in it). `-m` with the helper's folder as working folder puts that folder
 * first on `sys.path`; `-X utf8` makes its one-line messages UTF-8 whatever the locale.
 */
import { execFile, type ExecFileException } from 'node:child_process';

/** The importer's module, run with `python -m`. */
export const IMPORTER_MODULE = 'memlens_helper.tracemalloc_import';

/** How long an import may take before it is stopped: a dump of millions of blocks takes seconds. */
export const IMPORT_TIMEOUT_MS = 600_000;

/** The most output kept from the importer, per stream: it prints one line, or a traceback. */
const MAX_OUTPUT = 1024 * 1024;

export interface ImportOptions {
  python: string;
  /** The folder holding `memlens_helper/` (see `helperDirFor`). */
  helperDir: string;
  /** The dump, as a local path. */
  dump: string;
  /** Where the snapshot document is written (atomically, by the importer). */
  out: string;
  /** Folders whose files count as the user's code. */
  roots: readonly string[];
  /** The host's environment; `MEMLENS_*` variables are left out of the importer's. */
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Aborting stops the importer and resolves with `cancelled`. */
  signal?: AbortSignal;
}

/** What an import ended with; `message` is a sentence for the user (the importer's own when it refused). */
export type ImportResult = { ok: true } | { ok: false; cancelled: boolean; message: string };

/** The importer's command line after the interpreter. */
export function importerArgs(opts: Pick<ImportOptions, 'dump' | 'out' | 'roots'>): string[] {
  return ['-E', '-S', '-X', 'utf8', '-m', IMPORTER_MODULE, opts.dump, opts.out, ...opts.roots.flatMap((r) => ['--root', r])];
}

/** Runs the importer on `opts.dump`; never rejects. */
export function importTracemallocDump(opts: ImportOptions): Promise<ImportResult> {
  const timeoutMs = opts.timeoutMs ?? IMPORT_TIMEOUT_MS;
  // Without site, sitecustomize cannot start the helper anyway; dropping its variables also keeps
  // a host that was itself started under MemLens from passing them on.
  const env = Object.fromEntries(Object.entries(opts.env).filter(([k]) => !k.toUpperCase().startsWith('MEMLENS_')));
  return new Promise((resolve) => {
    execFile(
      opts.python,
      importerArgs(opts),
      { cwd: opts.helperDir, env, timeout: timeoutMs, maxBuffer: MAX_OUTPUT, signal: opts.signal, windowsHide: true, encoding: 'utf8' },
      (error, _stdout, stderr) => resolve(error === null ? { ok: true } : failure(error, stderr, opts, timeoutMs)),
    );
  });
}

function failure(error: ExecFileException, stderr: string, opts: ImportOptions, timeoutMs: number): ImportResult {
  if (error.name === 'AbortError') return { ok: false, cancelled: true, message: `Opening ${opts.dump} was cancelled.` };
  const said = lastLine(stderr);
  if (error.code === 'ENOENT') {
    return { ok: false, cancelled: false, message: `The Python interpreter ${opts.python} was not found.` };
  }
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return { ok: false, cancelled: false, message: `Opening ${opts.dump} stopped: the importer printed over 1 MiB (${said}).` };
  }
  if (error.killed) {
    return { ok: false, cancelled: false, message: `Opening ${opts.dump} took over ${Math.round(timeoutMs / 1000)} s, so it was stopped.` };
  }
  // Each of the importer's exit codes comes with a sentence on stderr; a crash's last line is the
  // error itself. Either is what is worth showing.
  if (said) return { ok: false, cancelled: false, message: said };
  const how = error.signal ? `signal ${error.signal}` : `exit code ${String(error.code)}`;
  return { ok: false, cancelled: false, message: `${opts.dump} could not be opened: the importer ended with ${how}.` };
}

/** The last non-empty line of `s`, cut to a length a notification can show. */
function lastLine(s: string): string {
  const lines = s.split(/\r?\n/).filter((l) => l.trim() !== '');
  const last = (lines[lines.length - 1] ?? '').trim();
  return last.length > 1000 ? `${last.slice(0, 999)}…` : last;
}
