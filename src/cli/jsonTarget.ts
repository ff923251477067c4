/**
 * The file `memlens profile --json FILE` writes, checked before the program runs, so that a long
 * run never ends with its results having nowhere to go: the folder must exist and be writable,
 * and FILE must not be a folder, a device or read-only. Two runs writing the same FILE would
 * overwrite each other's snapshots (FILE and FILE-<n>.json), so a run holds `FILE.lock` (created
 * exclusively, holding its process id) until it ends; a lock whose process has ended is stale and
 * taken over.
 */
import { promises as fs, constants as fsConstants, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** A --json target that cannot be used; the message is a sentence for the user. */
export class JsonTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonTargetError';
  }
}

/** A claimed target: the run writes `file` (and `FILE-<n>.json` beside it) until `release`. */
export interface JsonTarget {
  readonly file: string;
  /** When the lock replaced one left by a run that ended without removing it: that run's process id. */
  readonly tookOverFrom: number | undefined;
  /** Removes the lock (only if it is still this run's). */
  release(): Promise<void>;
}

/**
 * Checks that `file` (an absolute path; `given` is how the user wrote it) can be written and locks
 * it for this run.
 *
 * @throws JsonTargetError with a sentence saying what is wrong and what to do.
 */
export async function claimJsonTarget(file: string, given: string): Promise<JsonTarget> {
  const folder = path.dirname(file);
  const folderStat = await fs.stat(folder).catch(() => undefined);
  if (folderStat === undefined) throw new JsonTargetError(`The folder for --json ${given} does not exist.`);
  if (!folderStat.isDirectory()) throw new JsonTargetError(`--json ${given} cannot be written: ${folder} is not a folder.`);
  const target = await fs.stat(file).catch(() => undefined);
  if (target?.isDirectory()) {
    throw new JsonTargetError(`--json ${given} is a folder; give the name of a file to write the snapshot to.`);
  }
  if (target !== undefined && !target.isFile()) {
    throw new JsonTargetError(`--json ${given} is not a regular file (a device, a pipe or a socket); give the name of a file.`);
  }
  // No write bit at all is the owner saying "keep this", which root could otherwise overwrite.
  if (target !== undefined && ((target.mode & 0o222) === 0 || !(await writable(file)))) {
    throw new JsonTargetError(`--json ${given} is read-only; make it writable or choose another file.`);
  }
  if (!(await writable(folder))) {
    throw new JsonTargetError(`--json ${given} cannot be written: the folder ${folder} is not writable (permission denied).`);
  }
  return lock(file, given);
}

const OWN_LOCK = String(process.pid);

async function lock(file: string, given: string): Promise<JsonTarget> {
  const lockFile = `${file}.lock`;
  let tookOverFrom: number | undefined;
  // Twice at most: once, and once more after removing a stale lock.
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lockFile, OWN_LOCK, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        // /proc answers ENOENT for a name it does not have: the folder exists but takes no new files.
        const why = code === 'ENOENT' ? 'the folder takes no new files (ENOENT)' : errorText(err);
        throw new JsonTargetError(`--json ${given} cannot be written: MemLens could not create ${lockFile} beside it: ${why}.`);
      }
      const text = await fs.readFile(lockFile, 'utf8').catch(() => '');
      const holder = /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
      if (holder !== undefined && holder !== process.pid && processRuns(holder)) {
        throw new JsonTargetError(
          `Another memlens run (process ${holder}) is writing --json ${given}; wait for it to end, or choose another file.`,
        );
      }
      if (attempt > 0) {
        throw new JsonTargetError(`--json ${given} is locked by ${lockFile}, which could not be taken over; remove it if no memlens run is writing ${given}.`);
      }
      // A run that was killed left it: take it over, once it is checked to hold the same stale text.
      if ((await fs.readFile(lockFile, 'utf8').catch(() => '')) === text) await fs.rm(lockFile, { force: true });
      tookOverFrom = holder;
    }
  }
  return {
    file,
    tookOverFrom,
    async release() {
      if ((await fs.readFile(lockFile, 'utf8').catch(() => '')) === OWN_LOCK) await fs.rm(lockFile, { force: true });
    },
  };
}

/**
 * Whether process `pid` exists and may be a memlens run (one of another user counts: it exists).
 * On Linux its command line must name memlens (`…/memlens`, `…/cli.js`): after a crash the lock's
 * process id may have been given to an unrelated process.
 */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    return /memlens|cli\.js/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}

async function writable(p: string): Promise<boolean> {
  try {
    await fs.access(p, fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why writing failed, in words a user acts on: `the disk is full (ENOSPC)`, `permission denied
 * (EACCES)`, else the system's own message.
 */
export function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOENT: 'its folder no longer exists',
    EISDIR: 'it is a folder',
    EFBIG: 'the file is too large for this file system',
    EIO: 'an input/output error',
  };
  if (e?.code !== undefined && words[e.code] !== undefined) return `${words[e.code]} (${e.code})`;
  return e instanceof Error ? e.message.replace(/\.$/, '') : String(err);
}
