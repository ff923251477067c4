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
  /** Reads a file as text; defaults to `fs.readFile(path, 'utf8')`. Also reads `/proc/PID/stat` and `status`. */
  readFile?: (path: string) => Promise<string>;
  /** The owner of a path (`/proc/PID`); defaults to `fs.stat`. */
  ownerOf?: (path: string) => Promise<number>;
  /** This process's user id; defaults to `process.getuid()`. */
  uid?: number;
}

/**
 * The text of `/proc/PID/smaps`.
 *
 * @throws SmapsReadError with a sentence: not Linux, no such process, a process MemLens may not
 *   read (another user's, or one the kernel protects: the true reason), a process without memory
 *   maps (a kernel thread, or one that has just exited), one that exited while its maps were
 *   read (they would be incomplete), or any other read failure.
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
  // The kernel writes smaps a page at a time: a process that exits meanwhile leaves a partial
  // text that looks whole. Its start time before and after tells.
  const before = await processStart(pid, readFile);
  let text: string;
  try {
    text = await readFile(path);
  } catch (err) {
    throw new SmapsReadError(await readFailure(pid, path, err, deps));
  }
  if (text === '') {
    throw new SmapsReadError(
      `Process ${pid} has no memory maps: it is a kernel thread, or it has just exited.`,
    );
  }
  const after = await processStart(pid, readFile);
  if (before === undefined || after === undefined || after !== before) {
    throw new SmapsReadError(
      `Process ${pid} exited while its memory maps were being read, so they are incomplete and not shown.`,
    );
  }
  return text;
}

/**
 * When process `pid` started (field 22 of `/proc/PID/stat`, in clock ticks since boot), which
 * tells one process from a later one given the same id; undefined when it is gone or a zombie.
 */
async function processStart(pid: number, readFile: (path: string) => Promise<string>): Promise<string | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so count after the last `)`.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
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

async function readFailure(pid: number, path: string, err: unknown, deps: SmapsReadDeps): Promise<string> {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    // ESRCH: the process ended while its maps were being read.
    case 'ESRCH':
      return `There is no process ${pid}.`;
    case 'EACCES':
    case 'EPERM':
      return deniedReason(pid, deps);
    default: {
      const detail = err instanceof Error ? err.message : String(err);
      return `MemLens could not read ${path} (${detail.replace(/\.$/, '')}).`;
    }
  }
}

/**
 * Why the kernel refused to show process `pid`'s maps. Reading them needs ptrace read access: the
 * process must run as this user in every respect (real, effective, saved and filesystem user id)
 * and be dumpable, or this process must hold CAP_SYS_PTRACE (root usually does; a container may
 * drop it). A security module (SELinux, AppArmor) may refuse too.
 */
async function deniedReason(pid: number, deps: SmapsReadDeps): Promise<string> {
  const readFile = deps.readFile ?? ((p: string) => fs.readFile(p, 'utf8'));
  const ownerOf = deps.ownerOf ?? (async (p: string) => (await fs.stat(p)).uid);
  const me = deps.uid ?? process.getuid?.();
  let uids: number[] | undefined;
  try {
    const line = /^Uid:\s+(.*)$/m.exec(await readFile(`/proc/${pid}/status`));
    uids = line?.[1].trim().split(/\s+/).map(Number);
  } catch {
    uids = undefined;
  }
  const other = uids?.find((u) => u !== me);
  if (me === 0) {
    return (
      `The system refused MemLens (running as root) access to process ${pid}'s memory maps: ` +
      'it lacks the CAP_SYS_PTRACE capability (containers often drop it), or a security module (SELinux, AppArmor) refuses.'
    );
  }
  if (uids !== undefined && other !== undefined) {
    const setuid = uids[0] === me;
    return setuid
      ? `Process ${pid} was started by you but runs with the rights of user ${other} (a setuid or setgid program); ` +
          'only root can read its memory maps.'
      : `Process ${pid} belongs to another user (uid ${other}); MemLens can read only your own processes' memory maps.`;
  }
  let procOwner: number | undefined;
  try {
    procOwner = await ownerOf(`/proc/${pid}`);
  } catch {
    procOwner = undefined;
  }
  if (uids !== undefined && procOwner !== undefined && procOwner !== me) {
    // The kernel gives a process's /proc files to root when the process is not dumpable.
    return (
      `Process ${pid} is yours, but it has made itself not dumpable (prctl(PR_SET_DUMPABLE, 0), as ` +
      'programs holding secrets do, or it changed its user ids), so only root can read its memory maps.'
    );
  }
  return (
    `The system refused access to process ${pid}'s memory maps although it is yours: a security module ` +
    '(SELinux, AppArmor) or the system\'s ptrace policy forbids reading other processes.'
  );
}
