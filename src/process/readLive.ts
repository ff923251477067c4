/**
 * Reads what the panel shows of a running process: its memory maps (`src/run/smaps.ts`, whose
 * failures are sentences: not Linux, no such process, another user's), name and command line.
 */
import { promises as fs } from 'node:fs';
import type { LiveRead } from '../panel/liveProcess';
import { readProcessName, readSmaps, SmapsReadError } from '../run/smaps';
import { parseCmdline } from './processList';

export async function readLiveProcess(pid: number): Promise<LiveRead> {
  const readAt = Date.now();
  let smaps: LiveRead['smaps'];
  try {
    smaps = { ok: true, text: await readSmaps(pid), pageSize: null };
  } catch (err) {
    if (!(err instanceof SmapsReadError)) throw err;
    smaps = { ok: false, error: err.message };
  }
  const name = (await readProcessName(pid)) ?? '';
  const commandLine = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').then(parseCmdline, () => '');
  return { pid, name, commandLine, readAt, smaps };
}
