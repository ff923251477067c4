/**
 * The panel's data for a running process (`MemLens: Inspect Process Memory…`): its name, command
 * line and the Process tab's figures from the `/proc/PID/smaps` text just read, or the sentence
 * saying why the maps could not be read (the process ended, another user's, not Linux). Pure.
 */
import type { LiveProcessData } from '../protocol/panel';
import { smapsData } from './panelData';

/** What was read of the process; `smaps` is the text, or the sentence of why there is none. */
export interface LiveRead {
  pid: number;
  name: string;
  commandLine: string;
  readAt: number;
  smaps: { ok: true; text: string; pageSize: number | null } | { ok: false; error: string };
}

export function liveProcessData(read: LiveRead): LiveProcessData {
  const { pid, name, commandLine, readAt, smaps } = read;
  if (!smaps.ok) return { pid, name, commandLine, readAt, process: { ok: false, missing: smaps.error } };
  try {
    return { pid, name, commandLine, readAt, process: { ok: true, data: smapsData(smaps.text, smaps.pageSize) } };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { pid, name, commandLine, readAt, process: { ok: false, missing: `The memory maps of process ${pid} cannot be read (${detail}).` } };
  }
}
