/**
 * `memlens smaps`: prints the memory maps of a running process (`--pid`), or of a snapshot's
 * program at the moment it was taken. Exits 0, or 1 when the process or snapshot cannot be read
 * or the snapshot holds no memory maps (stderr says why).
 */
import * as path from 'node:path';
import { loadSnapshotFile, SnapshotError } from '../../model/load';
import { buildModel } from '../../model/model';
import { originText } from '../../model/origin';
import { readMemoryMaps, type SmapsReport } from '../../model/smaps';
import { readProcessName, readSmaps, SmapsReadError } from '../../run/smaps';
import type { CliCommand } from '../args';
import { EXIT_FAILED } from '../exitCodes';
import { fail, print } from '../output';
import { programLabel } from '../report';
import { renderSmapsReport } from '../smapsReport';

/** Runs `memlens smaps`. Resolves with the exit status. */
export async function smaps(cmd: Extract<CliCommand, { kind: 'smaps' }>): Promise<number> {
  let report: SmapsReport;
  let title: string;
  if ('pid' in cmd.target) {
    const { pid } = cmd.target;
    try {
      report = readMemoryMaps(await readSmaps(pid)).report;
    } catch (err) {
      if (err instanceof SmapsReadError) return fail(err.message, EXIT_FAILED);
      throw err;
    }
    const name = await readProcessName(pid);
    title = `process ${pid}${name === undefined ? '' : ` (${name})`}`;
  } else {
    const file = path.resolve(cmd.target.file);
    try {
      const model = buildModel(await loadSnapshotFile(file));
      const maps = model.process?.maps;
      if (maps === undefined) {
        const why = model.program === null ? `it was ${originText(model)}, which holds the traces alone` : 'it was made by a MemLens that did not read them';
        return fail(model.process?.smapsError ?? `${file} holds no memory maps: ${why}.`, EXIT_FAILED);
      }
      report = maps.report;
      const p = model.program;
      const what = p === null ? (model.label ?? file) : `${programLabel(p.argv, p.cwd, process.cwd())} (process ${p.pid})`;
      title = `${what} at ${model.kind === 'exit' ? 'exit' : 'the snapshot'}`;
    } catch (err) {
      if (err instanceof SnapshotError) return fail(err.message, EXIT_FAILED);
      throw err;
    }
  }
  print(renderSmapsReport(report, { title, top: cmd.top }));
  return 0;
}
