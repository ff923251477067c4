/**
 * `memlens compare`: prints what grew from one snapshot to another, and with `--out FILE` writes
 * the per-line differences as CSV (a `.csv` name) or JSON. Exits 0, or 1 when a snapshot cannot
 * be read or the file cannot be written.
 */
import * as path from 'node:path';
import { compareCompatibility } from '../../model/compat';
import { diffSnapshots } from '../../model/diff';
import { diffToCsv, diffToJson } from '../../model/export';
import { loadSnapshotFile, SnapshotError } from '../../model/load';
import type { SnapshotDocument } from '../../protocol/snapshot';
import { writeFileAtomic } from '../../run/profileProcess';
import type { CliCommand } from '../args';
import { renderComparison } from '../compareReport';
import { EXIT_FAILED } from '../exitCodes';
import { errorText } from '../jsonTarget';
import { fail, print } from '../output';

/** Runs `memlens compare`. Resolves with the exit status. */
export async function compare(cmd: Extract<CliCommand, { kind: 'compare' }>): Promise<number> {
  let before: SnapshotDocument;
  let after: SnapshotDocument;
  try {
    [before, after] = await Promise.all([loadSnapshotFile(path.resolve(cmd.before)), loadSnapshotFile(path.resolve(cmd.after))]);
  } catch (err) {
    if (err instanceof SnapshotError) return fail(err.message, EXIT_FAILED);
    throw err;
  }
  const diff = diffSnapshots(before, after);
  print(renderComparison(diff, compareCompatibility(before, after), { top: cmd.top, cwd: process.cwd() }));
  if (cmd.out !== undefined) {
    const out = path.resolve(cmd.out);
    try {
      await writeFileAtomic(out, out.toLowerCase().endsWith('.csv') ? diffToCsv(diff, 'lines') : diffToJson(diff));
    } catch (err) {
      return fail(`The comparison was not written to ${cmd.out}: ${errorText(err)}.`, EXIT_FAILED);
    }
    print(`\nComparison written to ${out}\n`);
  }
  return 0;
}
