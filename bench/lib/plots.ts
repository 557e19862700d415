/**
 * Charts as SVG, rendered headless by vega (no browser, no canvas): vega-lite specs compiled
 * to vega, rendered with the `none` renderer and serialised by View.toSVG(). vega and
 * vega-lite are ES modules: loaded with dynamic import from this CommonJS code.
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import type { LoadResult } from './load-tools';
import type { StageResult } from './saga-load';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/** p50 and p99 latency vs concurrency, one line per target (gRPC echo / services / edge). */
export function hopLatencySpec(runs: LoadResult[]): TopLevelSpec {
  const values = runs.flatMap((r) => [
    { target: r.target, concurrency: r.concurrency, percentile: 'p50', ms: finite(r.p50Ms) },
    { target: r.target, concurrency: r.concurrency, percentile: 'p99', ms: finite(r.p99Ms) },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Unary hop latency vs concurrency (closed loop)',
    data: { values },
    facet: { column: { field: 'percentile', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 220,
      mark: { type: 'line', point: true },
      encoding: {
        x: {
          field: 'concurrency',
          type: 'quantitative',
          scale: { type: 'log', base: 2 },
          title: 'concurrency',
        },
        y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms)' },
        color: { field: 'target', type: 'nominal', title: 'target' },
      },
    },
    resolve: { scale: { y: 'shared' } },
  };
}

/** place -> CONFIRMED percentiles vs arrival rate, real saga vs no-op floor, with the 1 s line. */
export function sagaLatencySpec(stages: StageResult[]): TopLevelSpec {
  const open = stages.filter((s) => s.mode === 'open' && s.rate !== undefined);
  const values = open.flatMap((s) =>
    (['p50', 'p90', 'p99'] as const).map((p) => ({
      saga: s.driver,
      rate: s.rate,
      percentile: p,
      ms: finite(s.latency[p]),
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Saga place -> CONFIRMED latency vs arrival rate (open loop)',
    width: 420,
    height: 260,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'rate', type: 'quantitative', title: 'arrival rate (orders/s)' },
          y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms)' },
          color: { field: 'percentile', type: 'nominal' },
          strokeDash: { field: 'saga', type: 'nominal', title: 'saga' },
          shape: { field: 'saga', type: 'nominal', title: 'saga' },
        },
      },
      {
        data: { values: [{ y: 1000, label: 'p99 target 1 s' }] },
        mark: { type: 'rule', color: 'firebrick', strokeDash: [2, 2] },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
    ],
  };
}

/** Confirmed orders/s per stage: offered rate vs achieved, real vs floor. */
export function sagaThroughputSpec(stages: StageResult[]): TopLevelSpec {
  const values = stages.map((s) => ({
    saga: s.driver,
    stage: s.mode === 'open' ? `${s.rate}/s open` : `closed x${s.concurrency} (max)`,
    order: s.mode === 'open' ? (s.rate ?? 0) : 1e9,
    confirmedPerS: Number(s.confirmedPerS.toFixed(2)),
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Confirmed orders/s per stage',
    data: { values },
    width: 420,
    height: 240,
    mark: 'bar',
    encoding: {
      x: {
        field: 'stage',
        type: 'nominal',
        sort: { field: 'order' },
        title: null,
        axis: { labelAngle: -30 },
      },
      xOffset: { field: 'saga' },
      y: { field: 'confirmedPerS', type: 'quantitative', title: 'confirmed orders/s' },
      color: { field: 'saga', type: 'nominal' },
    },
  };
}
