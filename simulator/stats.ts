// Summary statistics for simulation reports: nearest-rank percentiles, means, fixed-width histograms.

/** Distribution of a sample (all null when empty). */
export interface Percentiles {
  count: number;
  min: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** The `p`-th percentile (0 < p ≤ 100) of an ascending sample by the nearest-rank method; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Count, min, p50, p95, p99, max and mean of a sample (non-finite values are ignored). */
export function percentiles(sample: readonly number[]): Percentiles {
  const s = sample.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { count: 0, min: null, p50: null, p95: null, p99: null, max: null, mean: null };
  let sum = 0;
  for (const x of s) sum += x;
  return { count: s.length, min: s[0], p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1], mean: sum / s.length };
}

/** A histogram: `counts[i]` holds samples in `[start + i·width, start + (i+1)·width)` (the last bucket includes its end). */
export interface Histogram {
  start: number;
  width: number;
  counts: number[];
}

/** A "nice" bucket width (1, 2 or 5 × 10ⁿ) for `span` over about `buckets` buckets. */
export function niceWidth(span: number, buckets: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, buckets);
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/**
 * Buckets a sample into about `buckets` nice-width buckets (at least `minWidth` wide: 1 ms for latencies)
 * starting at a multiple of the width.
 */
export function histogram(sample: readonly number[], buckets = 20, minWidth = 1): Histogram {
  const s = sample.filter((x) => Number.isFinite(x));
  if (s.length === 0) return { start: 0, width: 1, counts: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of s) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const width = Math.max(minWidth, niceWidth(hi - lo || Math.max(1, Math.abs(hi)), buckets));
  const start = Math.floor(lo / width) * width;
  const n = Math.max(1, Math.floor((hi - start) / width) + 1);
  const counts = new Array<number>(n).fill(0);
  for (const x of s) counts[Math.min(n - 1, Math.floor((x - start) / width))]++;
  return { start, width, counts };
}
