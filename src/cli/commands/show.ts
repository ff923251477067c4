/**
 * `memlens show`: prints the report of a saved snapshot, with source lines read only from the
 * snapshot's own roots. Exits 0, or 1 when the snapshot cannot be read.
 */
import * as path from 'node:path';
import { loadSnapshotFile, SnapshotError } from '../../model/load';
import { buildModel } from '../../model/model';
import type { SnapshotDocument } from '../../protocol/snapshot';
import type { CliCommand } from '../args';
import { EXIT_FAILED } from '../exitCodes';
import { fail, print } from '../output';
import { renderReport } from '../report';
import { sourceReader } from '../sourceText';

/** Runs `memlens show`. Resolves with the exit status. */
export async function show(cmd: Extract<CliCommand, { kind: 'show' }>): Promise<number> {
  let doc: SnapshotDocument;
  try {
    doc = await loadSnapshotFile(path.resolve(cmd.file));
  } catch (err) {
    if (err instanceof SnapshotError) return fail(err.message, EXIT_FAILED);
    throw err;
  }
  // Source text only from the snapshot's own roots: it names its files itself.
  print(renderReport(buildModel(doc), { top: cmd.top, cwd: process.cwd(), sourceLine: sourceReader(doc.settings.roots) }));
  return 0;
}
