/**
 * Messages on the helper's channel: newline-delimited JSON over a local socket whose path the
 * host passes in `MEMLENS_CHANNEL`. Never mixed with the program's stdout or stderr.
 */

/** Helper → host. */
export type FromHelper =
  | { type: 'started'; pid: number; python: string; executable: string; frames: number }
  | { type: 'live'; tracedCurrent: number; tracedPeak: number; rss: number | null; t: number }
  | { type: 'snapshotWritten'; path: string; kind: 'exit' | 'snapshot'; seconds: number }
  | { type: 'finished'; path: string | null; error?: string };
