/**
 * Messages on the helper's channel: newline-delimited JSON over a local socket whose path the
 * host passes in `MEMLENS_CHANNEL`. Never mixed with the program's stdout or stderr.
 *
 * Every connection opens with `Hello`, carrying the run's token (`MEMLENS_CHANNEL_TOKEN`): the
 * socket's folder keeps other users out, the token keeps out other processes of the same user,
 * which could otherwise end a run or announce snapshots. A connection whose first line is not the
 * right hello is closed and nothing it sent is heard.
 */
import type { ProfileMode } from './snapshot';

/** The first line of every connection to the host (helper, reconnected helper, launcher). */
export interface Hello {
  type: 'hello';
  /** The run's token: 32 hexadecimal characters, from `MEMLENS_CHANNEL_TOKEN`. */
  token: string;
}

/**
 * Helper → host. `exited` comes from the launcher (`python-helper/memlens_launch.py`), the
 * terminal's own process, once the program has ended: the exact exit code, or the signal's name.
 *
 * Snapshots during the run: each one, asked by the host (`takeSnapshot`, whose `id` it
 * echoes) or by the program (`sys.audit("memlens.snapshot", label)`, no `id`), gets the next `seq`
 * (1, 2, …; a refused request uses one too). `snapshotStarted` says its child was forked, a copy
 * of the program at `t` (seconds since the program started); then exactly one of `snapshotWritten` (`kind:
 * 'snapshot'`, the file `<out stem>-<seq>.json` beside the exit snapshot) or `snapshotFailed`
 * (`error`: a sentence for the user) follows. A request refused (two snapshots are being written,
 * the platform cannot fork…) gets `snapshotFailed` alone. Every snapshot's messages come before
 * `finished`.
 */
export type FromHelper =
  /**
   * The program is about to run. `mode` is the mode that runs (`exact` where fast was asked for
   * but cannot run, with `modeNote` saying why, a sentence for the user, sent once here);
   * `sampleInterval` (bytes) in fast mode only.
   */
  | {
      type: 'started';
      pid: number;
      python: string;
      executable: string;
      frames: number;
      mode: ProfileMode;
      sampleInterval?: number;
      modeNote?: string;
    }
  | { type: 'live'; tracedCurrent: number; tracedPeak: number; rss: number | null; t: number }
  | { type: 'snapshotStarted'; seq: number; id?: number; label?: string; t: number }
  | { type: 'snapshotWritten'; path: string; kind: 'exit' | 'snapshot'; seconds: number; seq?: number; id?: number; label?: string }
  | { type: 'snapshotFailed'; seq: number; id?: number; error: string }
  /** The program is ending and the exit snapshot is being taken (`finished` follows). */
  | { type: 'finishing' }
  | { type: 'finished'; path: string | null; error?: string }
  | { type: 'exited'; pid: number | null; code: number | null; signal: string | null };

/** Host → helper: one JSON line each on the same socket. */
export type ToHelper = { type: 'takeSnapshot'; id: number; label?: string };
