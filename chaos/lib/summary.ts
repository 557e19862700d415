/** One line per round and a final summary, from what the round recorded. */
import type { FaultCounts } from './faults';
import type { OrderRecord } from './orders-driver';
import type { ProcessDeath } from './platform';

export interface RoundResult {
  round: number;
  orders: OrderRecord[];
  faults: FaultCounts;
  problems: string[];
  deaths: ProcessDeath[];
  durationMs: number;
}

const short = (status: string | undefined) =>
  (status ?? 'NONE').replace('ORDER_STATUS_', '').toLowerCase();

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function outcomeCounts(orders: OrderRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of orders) {
    const key = o.error
      ? 'unsettled'
      : o.id === undefined
        ? 'not started'
        : o.status === 'ORDER_STATUS_CANCELLED'
          ? `cancelled:${o.reason ?? '?'}`
          : short(o.status);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export function faultText(f: FaultCounts): string {
  return Object.entries(f)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

export function roundLine(r: RoundResult, rounds: number): string {
  const settled = r.orders
    .map((o) => o.settledMs)
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => a - b);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const outcomes = Object.entries(outcomeCounts(r.orders))
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const ok = r.problems.length === 0 && r.deaths.length === 0;
  return (
    `round ${r.round}/${rounds} ${ok ? 'OK  ' : 'FAIL'} ${r.orders.length} orders (${outcomes})` +
    ` | settle p50 ${s(percentile(settled, 50))} p95 ${s(percentile(settled, 95))} max ${s(settled.at(-1) ?? 0)}` +
    ` | faults ${faultText(r.faults)} | ${s(r.durationMs)}`
  );
}

export function deathReport(d: ProcessDeath): string {
  return [
    `FAILURE: ${d.name} (pid ${d.pid}) exited without being asked to: ` +
      (d.signal ? `killed by ${d.signal} (code ${d.code})` : `exit code ${d.code}`),
    `--- last ${d.lastLines.length} lines of ${d.name} ---`,
    ...d.lastLines,
    `--- end of ${d.name} ---`,
  ].join('\n');
}
