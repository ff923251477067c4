/**
 * Scales and ticks of the timeline chart. Pure (no DOM), unit-tested in plain Node.
 */

/** A "nice" step (1, 2 or 5 × 10^n) that divides `max` into about `count` parts. */
export function niceStep(max: number, count: number): number {
  if (!(max > 0)) return 1;
  const raw = max / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Ticks from 0 to at least `max` at a nice step; the last tick is the axis's end. */
export function ticks(max: number, count: number): number[] {
  const step = niceStep(max, count);
  const out: number[] = [];
  for (let v = 0; ; v += step) {
    out.push(Number(v.toPrecision(12)));
    if (v >= max) break;
  }
  return out;
}

/**
 * Byte ticks that fall on round numbers of a binary unit (0, 16 MiB, 32 MiB…), so the labels
 * `formatBytes` writes stay short.
 */
export function byteTicks(max: number, count: number): number[] {
  if (!(max > 0)) return [0, 1024];
  let unit = 1;
  while (max / unit >= 1024 && unit < 1024 ** 5) unit *= 1024;
  return ticks(max / unit, count).map((v) => v * unit);
}

/** Index of the element of ascending `xs` nearest to `x` (-1 when empty). */
export function nearest(xs: readonly number[], x: number): number {
  if (xs.length === 0) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && x - xs[lo - 1] <= xs[lo] - x) return lo - 1;
  return lo;
}
