/**
 * Reads another process's memory maps (`/proc/PID/smaps`) from Node, for `memlens smaps PID` and
 * for any view of a process that is still running. Parsing and classifying are `src/model/smaps.ts`'s
 * job; this module only reads, and turns each way a read can fail into a sentence.
 */
import { promises as fs } from 'node:fs';

/** Memory maps that cannot be read; the message is a sentence for the user. */
export class SmapsReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmapsReadError';
  }
}

/** What `readSmaps` needs from the system; tests pass their own. */
export interface SmapsReadDeps {
  /** Defaults to `process.platform`. */
  platform?: NodeJS.Platform;
  /** Reads a file as text; defaults to `fs.readFile(path, 'utf8')`. */
  readFile?: (path: string) => Promise<string>;
}

/**
 * The text of `/proc/PID/smaps`.
 *
 * @throws SmapsReadError with a sentence: not Linux, no such process, a process of another
 *   user, a process without memory maps (a kernel thread, or one that has just exited), or any
 *   other read failure.
 */
export async function readSmaps(pid: number, deps: SmapsReadDeps = {}): Promise<string> {
  const platform = deps.platform ?? process.platform;
  const readFile = deps.readFile ?? ((p: string) => fs.readFile(p, 'utf8'));
  if (!Number.isInteger(pid) || pid < 1) {
    throw new SmapsReadError(`${pid} is not a process id (a whole number from 1 up).`);
  }
  if (platform !== 'linux') {
    throw new SmapsReadError(
      `Reading a process's memory maps (/proc/PID/smaps) works only on Linux; this system is ${platform}.`,
    );
  }
  const path = `/proc/${pid}/smaps`;
  let text: string;
  try {
    text = await readFile(path);
  } catch (err) {
    throw new SmapsReadError(readFailure(pid, path, err));
  }
  if (text === '') {
    throw new SmapsReadError(
      `Process ${pid} has no memory maps: it is a kernel thread, or it has just exited.`,
    );
  }
  return text;
}

/**
 * The name the kernel gives process `pid` (`/proc/PID/comm`, such as `python3`), or undefined
 * when it cannot be read. For report titles only.
 */
export async function readProcessName(
  pid: number,
  readFile: (path: string) => Promise<string> = (p) => fs.readFile(p, 'utf8'),
): Promise<string | undefined> {
  try {
    const name = (await readFile(`/proc/${pid}/comm`)).replace(/\n$/, '');
    return name === '' ? undefined : name;
  } catch {
    return undefined;
  }
}

function readFailure(pid: number, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    // ESRCH: the process ended while its maps were being read.
    case 'ESRCH':
      return `There is no process ${pid}.`;
    case 'EACCES':
    case 'EPERM':
      return `Process ${pid} belongs to another user; MemLens can read only your own processes' memory maps.`;
    default: {
      const detail = err instanceof Error ? err.message : String(err);
      return `MemLens could not read ${path} (${detail.replace(/\.$/, '')}).`;
    }
  }
}
