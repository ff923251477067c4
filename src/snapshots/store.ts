/**
 * The snapshots kept on disk: one folder per run (`<root>/<YYYYMMDD-HHMMSS>-<script>/`), holding
 * the exit snapshot (`snapshot.json`) and those taken during the run (`snapshot-<n>.json`). The
 * store lists them with the figures the Snapshots view shows, reads whole documents for comparing
 * and leak finding (cached by size and modification time, since a tree refresh re-reads every
 * folder), and renames and deletes them. Files are read as data and validated by `parseSnapshot`;
 * one that is not a snapshot is listed as a problem, with the sentence saying why, and never
 * half-shown. Renaming rewrites the document atomically (temporary file, then rename) so a label
 * travels with the file when it is shared. A folder is a run only if it has the name MemLens gives
 * runs and holds at least one valid snapshot (`runNames.ts`); deleting removes only the files
 * MemLens writes there, and a folder only once nothing else is left in it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { programName } from '../model/program';
import { readMemoryMaps } from '../model/smaps';
import type { ProfileMode, SnapshotDocument } from '../protocol/snapshot';
import { parseSnapshot, SnapshotError } from '../model/load';
import { hasProgram, originText, type WithProgram } from '../model/origin';
import { writeFileAtomic } from '../run/profileProcess';
import { isOwnFileName, isRunFolderName, isSnapshotFileName } from './runNames';

/** What the Snapshots view shows of one snapshot file. */
export interface SnapshotInfo {
  path: string;
  kind: SnapshotDocument['kind'];
  label: string | null;
  /** Order of a snapshot taken during the run (1, 2, …); null for the exit snapshot. */
  sequence: number | null;
  /** When it was taken, seconds since the Unix epoch; and seconds since its program started. */
  time: number;
  elapsed: number;
  traced: number;
  /** How allocations were tracked (`exact` for files from before the modes): says how to read `traced`. */
  mode: ProfileMode;
  /** Private dirty over all mappings; null when the snapshot has no memory maps. */
  writable: number | null;
  pid: number;
  startTime: number;
  /** The program's name: `leak.py`, `-m pkg`. */
  program: string;
}

/** A file in a run folder that could not be listed as a snapshot, and why (a sentence). */
export interface SnapshotProblem {
  path: string;
  error: string;
}

/** One run's folder. */
export interface RunFolder {
  dir: string;
  /** The folder's name, which begins with the run's start time. */
  name: string;
  /** In the order they were taken, the exit snapshot last. */
  snapshots: SnapshotInfo[];
  problems: SnapshotProblem[];
}

/** Something the user asked to delete: a run folder, or one snapshot file. */
export type DeletionTarget = { kind: 'run'; dir: string } | { kind: 'file'; file: string };

/** What a deletion removes and leaves, said to the user before anything goes. */
export interface DeletionPlan {
  /** Files MemLens wrote, to be removed. */
  files: string[];
  /** Run folders, removed only if nothing is left in them afterwards. */
  folders: string[];
  /** What was asked for but stays, and why (a clause: `MemLens did not write it`). */
  refused: { path: string; reason: string }[];
}

interface Cached {
  size: number;
  mtimeMs: number;
  doc?: SnapshotDocument;
  info?: SnapshotInfo;
  error?: string;
}

export class SnapshotStore {
  private readonly cache = new Map<string, Cached>();

  /** `roots()` names the folders that hold run folders (storage, and a shared folder if set). */
  constructor(private readonly roots: () => string[]) {}

  /**
   * Every run folder under the roots, the newest first (by name, which starts with its time): a
   * folder with a run's name holding at least one valid snapshot. Other folders there, even with
   * JSON files in them, are not runs.
   */
  async runs(): Promise<RunFolder[]> {
    const runs: RunFolder[] = [];
    for (const root of new Set(this.roots())) {
      for (const name of await listNames(root)) {
        if (!isRunFolderName(name)) continue;
        const dir = path.join(root, name);
        if (!(await isFolder(dir))) continue;
        const run = await this.run(dir);
        if (run.snapshots.length > 0) runs.push(run);
      }
    }
    return runs.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  }

  /** One run folder's snapshots and problems. */
  async run(dir: string): Promise<RunFolder> {
    const snapshots: SnapshotInfo[] = [];
    const problems: SnapshotProblem[] = [];
    // Names starting with a dot are the helper's work files (peak rows, temporary writes).
    for (const name of (await listNames(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
      const file = path.join(dir, name);
      const entry = await this.entry(file, false);
      if (entry.info) snapshots.push(entry.info);
      else problems.push({ path: file, error: entry.error ?? `${file} could not be read.` });
    }
    snapshots.sort(snapshotOrder);
    return { dir, name: path.basename(dir), snapshots, problems };
  }

  /** The validated document of `file`. @throws SnapshotError */
  async read(file: string): Promise<SnapshotDocument> {
    const entry = await this.entry(file, true);
    if (entry.doc) return entry.doc;
    throw new SnapshotError(file, entry.error ?? `${file} could not be read.`);
  }

  /** Sets (or, with an empty label, removes) a snapshot's label, rewriting its file atomically. */
  async rename(file: string, label: string): Promise<void> {
    const text = await fs.readFile(file, 'utf8');
    parseSnapshot(text, file); // Only a valid snapshot is rewritten.
    const raw = JSON.parse(text) as Record<string, unknown>;
    const trimmed = label.trim();
    if (trimmed === '') delete raw.label;
    else raw.label = trimmed;
    await writeFileAtomic(file, JSON.stringify(raw));
    this.cache.delete(file);
  }

  /**
   * What deleting `targets` (run folders and snapshot files) would remove: the files MemLens wrote
   * (snapshots and work files, by name, regular files only) and the run folders to remove once
   * empty; and what it leaves, with the reason. Nothing is removed here: the user sees this first.
   */
  async planDeletion(targets: DeletionTarget[]): Promise<DeletionPlan> {
    const files = new Set<string>();
    const folders = new Set<string>();
    const refused: { path: string; reason: string }[] = [];
    for (const t of targets) {
      if (t.kind === 'run') {
        if (!(await this.isRun(t.dir))) {
          refused.push({ path: t.dir, reason: 'it is not a folder of a MemLens run' });
          continue;
        }
        for (const name of await listNames(t.dir)) {
          if (isOwnFileName(name) && (await isFile(path.join(t.dir, name)))) files.add(path.join(t.dir, name));
        }
        folders.add(t.dir);
      } else if (!isSnapshotFileName(path.basename(t.file)) || !isRunFolderName(path.basename(path.dirname(t.file)))) {
        refused.push({ path: t.file, reason: 'MemLens did not write it' });
      } else if (await isFile(t.file)) {
        files.add(t.file);
      }
    }
    return { files: [...files].sort(), folders: [...folders].sort(), refused };
  }

  /**
   * Carries out a plan from `planDeletion`: removes its files (each checked again: a MemLens name,
   * a regular file), then each of its folders that is left empty. Returns the folders that stay,
   * with what else they hold.
   */
  async delete(plan: DeletionPlan): Promise<{ removed: string[]; kept: { dir: string; holds: string[] }[] }> {
    const removed: string[] = [];
    for (const file of plan.files) {
      if (!isOwnFileName(path.basename(file)) || !isRunFolderName(path.basename(path.dirname(file))) || !(await isFile(file))) continue;
      await fs.rm(file, { force: true });
      this.cache.delete(file);
      removed.push(file);
    }
    const kept: { dir: string; holds: string[] }[] = [];
    for (const dir of plan.folders) {
      const holds = await listNames(dir);
      if (holds.length > 0) kept.push({ dir, holds });
      // rmdir removes only an empty folder: a file that appeared since is not lost.
      else await fs.rmdir(dir).catch(() => undefined);
    }
    return { removed, kept };
  }

  /** Whether `dir` is a run folder: MemLens's name for one, and at least one valid snapshot in it. */
  async isRun(dir: string): Promise<boolean> {
    return isRunFolderName(path.basename(dir)) && (await isFolder(dir)) && (await this.run(dir)).snapshots.length > 0;
  }

  private async entry(file: string, needDoc: boolean): Promise<Cached> {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch (err) {
      return { size: -1, mtimeMs: -1, error: readError(file, err) };
    }
    const cached = this.cache.get(file);
    if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs && (cached.doc || cached.error || !needDoc)) {
      return cached;
    }
    const entry: Cached = { size: stat.size, mtimeMs: stat.mtimeMs };
    try {
      const doc = parseSnapshot(await fs.readFile(file, 'utf8'), file);
      entry.doc = doc;
      if (hasProgram(doc)) entry.info = describeSnapshot(file, doc);
      // Listed by run and time, which a document without its program does not have.
      else entry.error = `${file} is ${originText(doc)}: it belongs to no run. Open it with MemLens: Open Snapshot File….`;
    } catch (err) {
      entry.error = err instanceof SnapshotError ? err.message : readError(file, err);
    }
    // Documents can be megabytes: keep only the few most recently read, and every summary.
    this.cache.set(file, entry);
    this.forgetOldDocuments(file);
    return entry;
  }

  private forgetOldDocuments(keep: string): void {
    const withDocs = [...this.cache.entries()].filter(([k, v]) => v.doc && k !== keep);
    for (const [, v] of withDocs.slice(0, Math.max(0, withDocs.length - KEPT_DOCUMENTS))) delete v.doc;
    // Map order is insertion order: re-inserting the one just read keeps it newest.
    const entry = this.cache.get(keep);
    if (entry) {
      this.cache.delete(keep);
      this.cache.set(keep, entry);
    }
  }
}

/** Whole documents kept in memory between reads (a comparison needs two, leak finding a few). */
const KEPT_DOCUMENTS = 8;

/**
 * The figures of a snapshot the Snapshots view shows. Read from the document, not a `MemModel`:
 * listing every run's snapshots needs these few figures, not every line resolved.
 */
export function describeSnapshot(file: string, doc: WithProgram): SnapshotInfo {
  const smaps = doc.process?.smaps;
  return {
    path: file,
    kind: doc.kind,
    label: doc.label ?? null,
    sequence: doc.kind === 'snapshot' && typeof doc.sequence === 'number' ? doc.sequence : null,
    time: doc.program.endTime,
    elapsed: doc.program.endTime - doc.program.startTime,
    traced: doc.totals.tracedCurrent,
    mode: doc.settings.mode ?? 'exact',
    writable: smaps === undefined ? null : readMemoryMaps(smaps).report.writable,
    pid: doc.program.pid,
    startTime: doc.program.startTime,
    program: programName(doc.program.argv),
  };
}

/** Taken earlier first; the exit snapshot after every snapshot taken during its run. */
export function snapshotOrder(a: SnapshotInfo, b: SnapshotInfo): number {
  if (a.startTime === b.startTime && a.pid === b.pid && a.kind !== b.kind) return a.kind === 'exit' ? 1 : -1;
  return a.time - b.time || (a.sequence ?? Infinity) - (b.sequence ?? Infinity);
}

/** A snapshot's name in lists and sentences: its label, else `snapshot 2`, else `exit`. */
export function snapshotName(s: Pick<SnapshotInfo, 'label' | 'kind' | 'sequence'>): string {
  if (s.label) return s.label;
  if (s.kind === 'exit') return 'exit';
  return s.sequence !== null ? `snapshot ${s.sequence}` : 'snapshot';
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch {
    return [];
  }
}

/** A real folder: a symbolic link, even to a folder, is not one MemLens made. */
async function isFolder(p: string): Promise<boolean> {
  try {
    return (await fs.lstat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** A regular file, not a link or a folder that merely has a snapshot's name. */
async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.lstat(p)).isFile();
  } catch {
    return false;
  }
}

function readError(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `The snapshot file ${file} no longer exists.`;
  if (code === 'EACCES' || code === 'EPERM') return `The snapshot file ${file} cannot be read: permission denied.`;
  return `The snapshot file ${file} cannot be read (${err instanceof Error ? err.message : String(err)}).`;
}
