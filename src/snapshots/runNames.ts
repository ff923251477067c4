/**
 * The names MemLens gives on disk, and how it recognises them: a run's folder
 * `<YYYYMMDD-HHMMSS>-<script>` (with `-2`, `-3`… when two runs of a script start in the same
 * second), the snapshot files in it (`snapshot.json` at exit, `snapshot-<n>.json` during the run)
 * and the work files written on the way to them. The Snapshots view lists only folders with a
 * run's name, and Delete removes only files with these names, so that a folder of the user's that
 * happens to hold JSON files (a `src/` under `memlens.snapshots.folder`) is never taken for a run.
 */
import * as path from 'node:path';

/**
 * A run folder's name: the local start time, then the script's file name (MemLens profiles
 * `.py` and `.pyw` files), then `-<n>` from the second run of that second on.
 */
const RUN_FOLDER = /^\d{8}-\d{6}-.+\.pyw?(?:-[2-9]|-[1-9]\d+)?$/i;

/** The exit snapshot and the snapshots taken during a run. */
const SNAPSHOT_FILE = /^snapshot(?:-[1-9]\d*)?\.json$/;

/**
 * Files on their way to becoming a snapshot, left behind if a writer is killed: the helper's
 * (`.memlens-exit-<pid>.json`, `.memlens-peak-<pid>-<n>.json`, `.memlens-<random>.tmp`) and the
 * extension's atomic rewrites (`.snapshot-<n>.json.<hex>.tmp`, run/profileProcess.ts).
 */
const WORK_FILE = /^\.memlens-[\w.-]+\.(?:json|tmp)$|^\.snapshot(?:-[1-9]\d*)?\.json\.[0-9a-f]+\.tmp$/;

/** The name of the `attempt`-th folder for a run of `script` started at `start` (attempt 1 has no suffix). */
export function runFolderName(start: Date, script: string, attempt = 1): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${start.getFullYear()}${p2(start.getMonth() + 1)}${p2(start.getDate())}-` +
    `${p2(start.getHours())}${p2(start.getMinutes())}${p2(start.getSeconds())}`;
  const base = path.basename(script);
  return attempt === 1 ? `${stamp}-${base}` : `${stamp}-${base}-${attempt}`;
}

/** Whether `name` is one MemLens gives a run folder. */
export function isRunFolderName(name: string): boolean {
  return RUN_FOLDER.test(name);
}

/** Whether `name` is one MemLens gives a snapshot file in a run folder. */
export function isSnapshotFileName(name: string): boolean {
  return SNAPSHOT_FILE.test(name);
}

/** Whether `name` is one of the files MemLens writes in a run folder: a snapshot or a work file. */
export function isOwnFileName(name: string): boolean {
  return SNAPSHOT_FILE.test(name) || WORK_FILE.test(name);
}
