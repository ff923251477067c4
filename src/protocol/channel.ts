/**
 * Messages on the helper's channel: newline-delimited JSON over a local socket whose path the
 * host passes in `MEMLENS_CHANNEL`. Never mixed with the program's stdout or stderr.
 */

/**
 * Helper → host. `exited` comes from the launcher (`python-helper/memlens_launch.py`), the
 * terminal's own process, once the program has ended: the exact exit code, or the signal's name.
 */
export type FromHelper =
  | { type: 'started'; pid: number; python: string; executable: string; frames: number }
  | { type: 'live'; tracedCurrent: number; tracedPeak: number; rss: number | null; t: number }
  | { type: 'snapshotWritten'; path: string; kind: 'exit' | 'snapshot'; seconds: number }
  | { type: 'finished'; path: string | null; error?: string }
  | { type: 'exited'; pid: number | null; code: number | null; signal: string | null };
