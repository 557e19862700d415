/** Small statistics helpers (nearest-rank percentiles; Infinity sorts last). */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: number[]): {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
} {
  const s = [...values].sort((a, b) => a - b);
  const finite = s.filter(Number.isFinite);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s.length ? s[s.length - 1]! : NaN,
    mean: finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN,
  };
}

export const round = (x: number, digits = 2): number =>
  Number.isFinite(x) ? Number(x.toFixed(digits)) : x;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
