/**
 * The one place where the `memlens` command writes to its standard output and error. Reports
 * carry text from snapshots, programs and processes (paths, labels, exception messages, type
 * names), which a hostile snapshot can fill with terminal escapes: here every control character
 * and bidirectional override becomes a visible mark, so the text stays readable and inert. The
 * command's own text never needs a control character but newline and tab, so doing it at this
 * single point covers every renderer. A reader that goes away (a pipe to `head`, a terminal that
 * was closed) must not crash the command: write errors are recorded, not thrown.
 */

/**
 * `text` with every character that a terminal would act on replaced by a visible stand-in: C0
 * controls but tab and newline (ESC shows as `␛`), DEL (`␡`), C1 controls and the invisible
 * bidirectional marks, overrides and isolates (shown as `\u009b`, `\u202e`…), which could
 * reorder what is shown (the "Trojan Source" trick).
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    // Control Pictures (U+2400…U+241F) draw each C0 control by its name.
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * What `terminalSafe` replaces: C0 but tab (U+0009) and newline (U+000A), DEL, C1, the Arabic
 * letter mark (U+061C), left-to-right and right-to-left marks (U+200E, U+200F), embeddings and
 * overrides (U+202A…U+202E) and isolates (U+2066…U+2069).
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Why a stream could not be written, once it failed; later writes to it are dropped. */
const failed = new Map<NodeJS.WriteStream, NodeJS.ErrnoException>();

for (const stream of [process.stdout, process.stderr]) {
  // Without a listener an EPIPE (the reader exited) or EIO (the terminal is gone) would be
  // thrown as an uncaught exception with a stack trace.
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (!failed.has(stream)) failed.set(stream, err);
  });
}

/** Writes `text`, made safe, to standard output; see `flushed` for whether it arrived. */
export function print(text: string): void {
  write(process.stdout, text);
}

/** Writes `text`, made safe, to standard error. */
export function printError(text: string): void {
  write(process.stderr, text);
}

/** Prints `memlens: message` on standard error and returns `code`, the command's exit status. */
export function fail(message: string, code: number): number {
  printError(`memlens: ${message}\n`);
  return code;
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (failed.has(stream) || stream.destroyed) return;
  try {
    stream.write(terminalSafe(text), (err) => {
      if (err && !failed.has(stream)) failed.set(stream, err);
    });
  } catch (err) {
    failed.set(stream, err as NodeJS.ErrnoException);
  }
}

/**
 * Resolves once everything written so far has reached standard output (or failed to), with the
 * error code when its reader has gone away: `EPIPE` for a closed pipe (`memlens … | head`), `EIO`
 * for a terminal that was closed; undefined when all is well.
 */
export function stdoutFailure(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const done = (): void => resolve(failed.get(process.stdout)?.code ?? (failed.has(process.stdout) ? 'EIO' : undefined));
    if (failed.has(process.stdout) || process.stdout.destroyed) return done();
    try {
      // An empty write's callback runs after every earlier write has been handed over.
      process.stdout.write('', () => setImmediate(done));
    } catch {
      done();
    }
  });
}
