/**
 * The environment that makes Python load the helper: the helper's folder first on `PYTHONPATH`
 * (so its `sitecustomize` runs at start-up) and the helper's options as `MEMLENS_*` variables
 * (so the program runs as its own command line, with no helper frame under it). Shared by the
 * CLI and the extension so both profile alike.
 */
import * as path from 'node:path';
import type { ProfileMode } from '../protocol/snapshot';

/** What the helper is told about one run. */
export interface HelperOptions {
  /** The folder holding the helper's `sitecustomize.py`; see `helperDirFor`. */
  helperDir: string;
  /** Where the helper writes the exit snapshot. */
  outFile: string;
  /**
   * The host's channel (see `openChannel`): its socket or pipe and the run's token, passed as
   * `MEMLENS_CHANNEL` and `MEMLENS_CHANNEL_TOKEN`; unset runs without a channel.
   */
  channel?: { path: string; token: string };
  /**
   * Whether the program ends when the host's end of the channel goes away (`MEMLENS_END_WITH_HOST=1`):
   * a host killed outright (the CLI) can no longer stop it. The helper then removes the files it
   * wrote in the out folder and ends the program's process group. The extension leaves it unset:
   * the program's terminal is the user's.
   */
  endWithHost?: boolean;
  /**
   * How allocations are tracked (`MEMLENS_MODE`). The helper runs exact where fast cannot run,
   * and says so in the `started` message and the snapshot's `settings.modeNote`.
   */
  mode: ProfileMode;
  /**
   * Fast mode's mean sampling interval, bytes (`MEMLENS_SAMPLE_INTERVAL`); unset keeps the
   * helper's default, and other modes never pass it.
   */
  sampleInterval?: number;
  /** tracemalloc frame depth (exact mode; fast mode records 64 frames, since only samples pay). */
  frames: number;
  /** Folders whose files count as the user's code. */
  roots: string[];
  /** Whether to capture the per-line view near the traced peak. */
  peak: boolean;
  /** Call paths kept per line; unset keeps the helper's default. */
  maxPaths?: number;
}

/** The helper's folder inside the extension or npm package rooted at `root`. */
export function helperDirFor(root: string): string {
  return path.join(root, 'python-helper');
}

/**
 * A copy of `base` that runs the helper with `opts`. `PYTHONUNBUFFERED` is left as the user has
 * it: the program's output should behave as it does without MemLens. Optional variables that are
 * not set in `opts` are removed from the copy, so stale values inherited from the host's own
 * environment cannot reach the helper.
 */
export function helperEnvironment(base: NodeJS.ProcessEnv, opts: HelperOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const pythonPathKey = envKey(env, 'PYTHONPATH');
  const existing = env[pythonPathKey];
  delete env[pythonPathKey];
  env.PYTHONPATH = existing ? opts.helperDir + path.delimiter + existing : opts.helperDir;
  env.MEMLENS_OUT = opts.outFile;
  env.MEMLENS_MODE = opts.mode;
  setOrDelete(env, 'MEMLENS_SAMPLE_INTERVAL', opts.mode === 'fast' && opts.sampleInterval !== undefined ? String(opts.sampleInterval) : undefined);
  env.MEMLENS_FRAMES = String(opts.frames);
  env.MEMLENS_ROOTS = opts.roots.join(path.delimiter);
  env.MEMLENS_PEAK = opts.peak ? '1' : '0';
  setOrDelete(env, 'MEMLENS_CHANNEL', opts.channel?.path);
  setOrDelete(env, 'MEMLENS_CHANNEL_TOKEN', opts.channel?.token);
  setOrDelete(env, 'MEMLENS_END_WITH_HOST', opts.endWithHost ? '1' : undefined);
  setOrDelete(env, 'MEMLENS_MAX_PATHS', opts.maxPaths === undefined ? undefined : String(opts.maxPaths));
  return env;
}

function setOrDelete(env: NodeJS.ProcessEnv, key: string, value: string | undefined): void {
  if (value === undefined) delete env[key];
  else env[key] = value;
}

/**
 * The key under which `env` holds `name`: Windows environment names are case-insensitive, but a
 * copied `process.env` is a plain object, so `PythonPath` must be found and replaced, not doubled.
 */
function envKey(env: NodeJS.ProcessEnv, name: string): string {
  if (process.platform !== 'win32') return name;
  return Object.keys(env).find((k) => k.toUpperCase() === name) ?? name;
}
