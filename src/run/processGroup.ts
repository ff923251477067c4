/**
 * Whether any process of a process group is still running. The program runs as the leader of its
 * own group, and the helper's children (a snapshot being written, the held peak capture) stay in
 * it after the program itself has ended: a host collects the run's files only once they are gone,
 * or a snapshot taken just before a crash would be missed, and a late child would write into a
 * folder already removed.
 */
import { promises as fs } from 'node:fs';

/**
 * Whether a process of group `pgid` is alive. On Linux `/proc` is read, so that zombies (ended,
 * waiting for a parent that does not reap them) do not count; elsewhere a signal 0 to the group.
 */
export async function groupAlive(pgid: number): Promise<boolean> {
  if (process.platform === 'linux') {
    try {
      return await linuxGroupAlive(pgid);
    } catch {
      // /proc unreadable: fall back to the signal, which counts zombies too.
    }
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    // EPERM: a member runs as another user (a setuid program), but it runs.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function linuxGroupAlive(pgid: number): Promise<boolean> {
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = await fs.readFile(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // Ended while the list was read.
    }
    // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so read after the last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/**
 * Resolves true once no process of group `pgid` is alive, false when `ms` passed (or `abort`
 * fired) first; checked every `everyMs`.
 */
export async function groupEnded(pgid: number, ms: number, abort?: AbortSignal, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!(await groupAlive(pgid))) return true;
    if (Date.now() >= deadline || abort?.aborted) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
