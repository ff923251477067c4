/**
 * Turns the snapshot's integers into the text every view shows: binary byte units, block counts,
 * heat buckets, durations and command lines. The snapshot holds raw integers only, never
 * formatted text, so this module is the one place where units and rounding are decided, and the
 * editor, panel and CLI agree.
 */

/** The minus sign used for negative figures: U+2212 lines up with `+` where a hyphen does not. */
const MINUS = '\u2212';

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Formats a byte count in binary units: below 1024 as `N B`; KiB and MiB with one decimal
 * (`1.0 KiB`, `40.0 MiB`); GiB and above with two (`1.50 GiB`), where one decimal would hide
 * hundreds of MiB. A value that rounds up to 1024 of a unit moves to the next unit
 * (`1048575` → `1.0 MiB`, not `1024.0 KiB`). Negative values keep their sign as `−`.
 */
export function formatBytes(n: number): string {
  if (n < 0) return MINUS + formatBytes(-n);
  if (n < 1024) return `${Math.round(n)} B`;
  let value = n / 1024;
  for (let i = 0; ; i++) {
    const text = value.toFixed(i < 2 ? 1 : 2);
    // Rounding can reach 1024 (1023.96 KiB → "1024.0"); the next unit reads better.
    if (Number(text) < 1024 || i === UNITS.length - 1) return `${text} ${UNITS[i]}`;
    value /= 1024;
  }
}

/** Formats a byte difference with an explicit sign: `+12.0 MiB`, `−3.1 MiB`, and `0 B` for none. */
export function formatSignedBytes(n: number): string {
  if (n > 0) return '+' + formatBytes(n);
  if (n < 0) return formatBytes(n);
  return '0 B';
}

/**
 * Formats a count: plain below 10 000 (`1200`), with comma thousands separators from 10 000 on
 * (`1,048,576`). Written by hand rather than with `toLocaleString` so output does not depend on
 * the machine's locale (tests and CLI reports stay stable).
 */
export function formatCount(n: number): string {
  const sign = n < 0 ? MINUS : '';
  const digits = String(Math.round(Math.abs(n)));
  if (digits.length <= 4) return sign + digits;
  return sign + digits.replace(/\B(?=(\d{3})+$)/g, ',');
}

/** Formats a count difference with an explicit sign: `+1,200`, `−35`, and `0` for none. */
export function formatSignedCount(n: number): string {
  return n > 0 ? `+${formatCount(n)}` : formatCount(n);
}

/**
 * The mark before a figure estimated from samples (a fast-mode run's traced bytes): `≈ 40.0 MiB`.
 * Exact figures carry no mark, so an exact-mode run reads as it always has.
 */
export const ESTIMATE_MARK = '\u2248';

/** `text` (a formatted figure) marked as an estimate when `estimated`, else unchanged. */
export function estimate(text: string, estimated: boolean): string {
  return estimated ? `${ESTIMATE_MARK} ${text}` : text;
}

/** A traced byte figure: `formatBytes`, marked `≈` when it was estimated from samples. */
export function formatTracedBytes(n: number, estimated: boolean): string {
  return estimate(formatBytes(n), estimated);
}

/** A traced byte difference: `formatSignedBytes`, marked `≈` when either side was estimated. */
export function formatSignedTracedBytes(n: number, estimated: boolean): string {
  return estimate(formatSignedBytes(n), estimated);
}

/** What views say instead of traced figures for a light-mode run, which tracked no allocation. */
export const LIGHT_MODE_TEXT = 'light mode: allocations were not tracked';

/**
 * A run's traced memory in a list or sentence: `40.0 MiB traced`, `≈ 40.0 MiB traced` in fast
 * mode, and `not traced (light mode)` for a light-mode run, whose 0 would read as nothing held.
 */
export function tracedPhrase(n: number, mode: 'fast' | 'exact' | 'light'): string {
  return mode === 'light' ? 'not traced (light mode)' : `${formatTracedBytes(n, mode === 'fast')} traced`;
}

/** `N samples`, `1 sample`. */
export function formatSamples(samples: number): string {
  return `${formatCount(samples)} ${samples === 1 ? 'sample' : 'samples'}`;
}

/**
 * The after-line text of an annotated line: `40.0 MiB · 1 block`, `1.2 KiB · 35 blocks`. A line
 * of a fast-mode run passes `sampled` (its figures, with their sample count) and gives its samples
 * instead of its blocks, which were estimated too: `≈ 40.0 MiB · 3 samples` (just `≈ 40.0 MiB`
 * when the count is missing).
 */
export function formatLineSummary(bytes: number, blocks: number, sampled?: { samples?: number }): string {
  if (sampled === undefined) return `${formatBytes(bytes)} · ${formatCount(blocks)} ${blocks === 1 ? 'block' : 'blocks'}`;
  const text = formatTracedBytes(bytes, true);
  return sampled.samples === undefined ? text : `${text} · ${formatSamples(sampled.samples)}`;
}

/**
 * The hover's account of an estimate: `estimated from 3 samples, one per 8 KiB allocated on average`. The
 * interval is given in KiB as the setting gives it; without it, only the samples.
 */
export function estimateSentence(samples: number | undefined, sampleInterval: number | undefined): string {
  const from = samples === undefined ? 'estimated from samples' : `estimated from ${formatSamples(samples)}`;
  if (sampleInterval === undefined) return from;
  const kib = sampleInterval / 1024;
  const interval = Number.isInteger(kib) ? `${kib} KiB` : formatBytes(sampleInterval);
  return `${from}, one per ${interval} allocated on average`;
}

/** A heat bucket: 0 for none, else 1 (up to 20 % of the hottest line) … 5 (over 80 %). */
export type HeatBucket = 0 | 1 | 2 | 3 | 4 | 5;

/**
 * The heat bucket of a line holding `bytes` when the hottest line holds `maxBytes`: 0 when either
 * is not positive, else `ceil(5 × share)` clamped to 1…5, so a share of at most 20 % is 1, over
 * 20 % up to 40 % is 2, …, over 80 % is 5 (the `memlens.heat1`…`heat5` colours' descriptions).
 */
export function heatBucket(bytes: number, maxBytes: number): HeatBucket {
  if (!(bytes > 0) || !(maxBytes > 0)) return 0;
  const bucket = Math.ceil((5 * bytes) / maxBytes);
  return Math.min(5, Math.max(1, bucket)) as HeatBucket;
}

/**
 * Formats a duration in seconds: `230 ms` below one second, `1.5 s` below a minute, `2 min 05 s`
 * below an hour, then `1 h 02 min`. Negative or non-finite input (an unknown duration) is `—`.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) {
    const text = seconds.toFixed(1);
    // 59.96 s rounds to "60.0"; fall through to minutes instead of showing 60.0 s.
    if (Number(text) < 60) return `${text} s`;
  }
  const total = Math.round(seconds);
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad2(total % 60)} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} min`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A command line as a POSIX shell would take it back: words with spaces or quotes are quoted. */
export function shellWords(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}
