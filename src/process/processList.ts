/**
 * The running processes `MemLens: Inspect Process Memory…` offers, read from `/proc` (Linux): pid,
 * name, command line, resident size and owner, sorted with the current user's first, then by
 * resident size. Parsing is pure (tests feed it captured text); `listProcesses` does the reading,
 * through functions a test can replace. A process that ends while the list is read is left out.
 */
import { promises as fs } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  /** The kernel's name for it (`Name:` of `/proc/PID/status`, at most 15 characters). */
  name: string;
  /** Arguments joined by spaces; '' for kernel threads. */
  commandLine: string;
  /** Resident set size in bytes; null for kernel threads (no `VmRSS:`). */
  rss: number | null;
  /** Real user id. */
  uid: number;
}

/** What `/proc/PID/status` says that the list needs; undefined when the text lacks a name or uid. */
export function parseStatus(text: string): { name: string; uid: number; rss: number | null } | undefined {
  let name: string | undefined;
  let uid: number | undefined;
  let rss: number | null = null;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'Name') name = value;
    else if (key === 'Uid') uid = Number(value.split(/\s+/)[0]);
    else if (key === 'VmRSS') {
      const m = /^(\d+)\s*kB$/.exec(value);
      if (m) rss = Number(m[1]) * 1024;
    }
  }
  if (name === undefined || uid === undefined || !Number.isInteger(uid)) return undefined;
  return { name, uid, rss };
}

/** `/proc/PID/cmdline`: arguments separated (and ended) by NUL bytes. */
export function parseCmdline(text: string): string {
  return text.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1).join(' ').trim();
}

/** The current user's processes first, then the others; within each, the largest resident set first. */
export function sortProcesses(list: readonly ProcessEntry[], uid: number): ProcessEntry[] {
  return [...list].sort((a, b) =>
    Number(b.uid === uid) - Number(a.uid === uid) || (b.rss ?? -1) - (a.rss ?? -1) || a.pid - b.pid);
}

/** What `listProcesses` reads; tests pass their own. */
export interface ProcDeps {
  readdir?: (path: string) => Promise<string[]>;
  readFile?: (path: string) => Promise<string>;
}

/** Every process in `/proc`, unsorted; processes that end while being read are left out. */
export async function listProcesses(deps: ProcDeps = {}): Promise<ProcessEntry[]> {
  const readdir = deps.readdir ?? ((p: string) => fs.readdir(p));
  const readFile = deps.readFile ?? ((p: string) => fs.readFile(p, 'utf8'));
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
  const entries = await Promise.all(pids.map(async (pid): Promise<ProcessEntry | undefined> => {
    try {
      const status = parseStatus(await readFile(`/proc/${pid}/status`));
      if (status === undefined) return undefined;
      const commandLine = parseCmdline(await readFile(`/proc/${pid}/cmdline`).catch(() => ''));
      return { pid, ...status, commandLine };
    } catch {
      return undefined;
    }
  }));
  return entries.filter((e): e is ProcessEntry => e !== undefined);
}
