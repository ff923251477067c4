/**
 * `memlens leaks`: prints what grew in every interval of three or more snapshots. Exits 0, or 1
 * when a snapshot cannot be read or the snapshots cannot be compared.
 */
import * as path from 'node:path';
import { findLeaks } from '../../model/leaks';
import { loadSnapshotFile, SnapshotError } from '../../model/load';
import type { SnapshotDocument } from '../../protocol/snapshot';
import type { CliCommand } from '../args';
import { renderLeaks } from '../compareReport';
import { EXIT_FAILED } from '../exitCodes';
import { fail, print } from '../output';

/** Runs `memlens leaks`. Resolves with the exit status. */
export async function leaks(cmd: Extract<CliCommand, { kind: 'leaks' }>): Promise<number> {
  let docs: SnapshotDocument[];
  try {
    docs = await Promise.all(cmd.files.map((f) => loadSnapshotFile(path.resolve(f))));
  } catch (err) {
    if (err instanceof SnapshotError) return fail(err.message, EXIT_FAILED);
    throw err;
  }
  const report = findLeaks(docs);
  if (!report.ok) return fail(report.error, EXIT_FAILED);
  print(renderLeaks(report, { top: cmd.top, cwd: process.cwd() }));
  return 0;
}
