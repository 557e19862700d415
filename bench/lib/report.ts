/** Targets, bench/results/latest.json and latest.md. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StageResult } from './saga-load';
import type { LoadResult } from './load-tools';
import type { MachineInfo, Versions } from './machine';
import type { ProcStats } from './proc';

export interface ResourceSnapshot {
  label: string;
  /** Machine-wide CPU busy, percent of all cores. */
  systemCpuPct: number;
  loadAvg: [number, number, number];
  processes: ProcStats[];
}

export interface SectionLoad {
  section: string;
  loadAvgBefore: [number, number, number];
  loadAvgAfter: [number, number, number];
  systemCpuPct: number;
}

export interface Target {
  id: string;
  description: string;
  measured: string;
  threshold: string;
  /** The ratio or difference the verdict rests on. */
  value: number | null;
  status: 'MET' | 'MISSED' | 'N/A';
}

export interface BenchResult {
  generatedAt: string;
  mode: 'full' | 'smoke';
  durationS: number;
  machine: MachineInfo;
  versions: Versions;
  quiet: {
    waitedS: number;
    threshold: number;
    loadAvgAtRun: [number, number, number];
    note: string;
  };
  settings: Record<string, unknown>;
  grpc: {
    responseBytes: { getProduct: number; getStock: number };
    runs: LoadResult[];
  };
  saga: {
    stages: StageResult[];
    maxReal: number | null;
    maxNoop: number | null;
    halfMaxRate: number | null;
    realClockFallbacks: number;
    /** Arrival rates not run because they were far above the no-op floor's max. */
    skippedRates?: number[];
  };
  resources: ResourceSnapshot[];
  sections: SectionLoad[];
  targets: Target[];
}

const fmt = (x: number | null | undefined, d = 2): string =>
  x === null || x === undefined || Number.isNaN(x) ? '-' : Number.isFinite(x) ? x.toFixed(d) : '∞';

const signed = (x: number | null | undefined, d = 3): string =>
  x !== null && x !== undefined && x >= 0 ? `+${fmt(x, d)}` : fmt(x, d);

/** "catalog 850 + mariadb 120" (µs of CPU per request). */
const cpuCell = (x: LoadResult | undefined): string =>
  x?.cpuUsPerRequest
    ? Object.entries(x.cpuUsPerRequest)
        .map(([k, v]) => `${k} ${fmt(v, 0)}`)
        .join(' + ')
    : '-';

const find = (runs: LoadResult[], target: string, c: number) =>
  runs.find((r) => r.target === target && r.concurrency === c);

export const HOP_PAIRS = [
  { service: 'catalog GetProduct', echo: 'echo GetProduct' },
  { service: 'inventory GetStock', echo: 'echo GetStock' },
] as const;
export const EDGE_TARGET = 'edge GET /v1/products/{sku}';
export const DIRECT_TARGET = 'catalog GetProduct';

export function evaluateTargets(r: Pick<BenchResult, 'grpc' | 'saga'>): Target[] {
  const out: Target[] = [];
  const concurrencies = [...new Set(r.grpc.runs.map((x) => x.concurrency))].sort((a, b) => a - b);
  for (const pair of HOP_PAIRS) {
    for (const c of concurrencies) {
      const s = find(r.grpc.runs, pair.service, c);
      const e = find(r.grpc.runs, pair.echo, c);
      const ratio = s && e ? s.p50Ms / e.p50Ms : null;
      out.push({
        id: `hop-${pair.service.split(' ')[0]}-c${c}`,
        description: `gRPC hop ${pair.service} vs bare grpc-js echo, p50 ratio at concurrency ${c}`,
        measured:
          s && e
            ? `p50 ${fmt(s.p50Ms, 3)} ms vs ${fmt(e.p50Ms, 3)} ms = ${fmt(ratio)}x`
            : 'not measured',
        threshold: '<= 1.3x',
        value: ratio,
        status: ratio === null ? 'N/A' : ratio <= 1.3 ? 'MET' : 'MISSED',
      });
    }
  }
  for (const c of concurrencies) {
    const edge = find(r.grpc.runs, EDGE_TARGET, c);
    const direct = find(r.grpc.runs, DIRECT_TARGET, c);
    const added = edge && direct ? edge.p50Ms - direct.p50Ms : null;
    out.push({
      id: `edge-c${c}`,
      description: `JSON edge adds at p50 (GET /v1/products/{sku} via edge vs direct GetProduct), concurrency ${c}`,
      measured:
        edge && direct
          ? `p50 ${fmt(edge.p50Ms, 3)} ms vs ${fmt(direct.p50Ms, 3)} ms = ${signed(added)} ms`
          : 'not measured',
      threshold: '<= 1 ms',
      value: added,
      status: added === null ? 'N/A' : added <= 1 ? 'MET' : 'MISSED',
    });
  }
  const { maxReal, maxNoop, halfMaxRate } = r.saga;
  const tput = maxReal !== null && maxNoop ? maxReal / maxNoop : null;
  out.push({
    id: 'saga-max',
    description: 'Saga max confirmed orders/s vs the no-op saga floor (closed loop)',
    measured:
      tput === null
        ? 'not measured'
        : `${fmt(maxReal)} vs ${fmt(maxNoop)} orders/s = ${fmt(tput * 100, 0)}%`,
    threshold: '>= 70%',
    value: tput,
    status: tput === null ? 'N/A' : tput >= 0.7 ? 'MET' : 'MISSED',
  });
  const half = r.saga.stages.find(
    (s) => s.driver === 'real' && s.mode === 'open' && s.rate === halfMaxRate,
  );
  const p99 = half ? half.latency.p99 : null;
  out.push({
    id: 'saga-p99-half-max',
    description: 'Saga p99 place -> CONFIRMED at half the measured max rate (open loop)',
    measured: half
      ? `p99 ${fmt(p99, 0)} ms at ${halfMaxRate}/s (p50 ${fmt(half.latency.p50, 0)} ms)`
      : 'not measured',
    threshold: '< 1000 ms',
    value: p99 !== null ? p99 / 1000 : null,
    status: p99 === null ? 'N/A' : p99 < 1000 ? 'MET' : 'MISSED',
  });
  return out;
}

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderMarkdown(
  r: BenchResult,
  opts: { analysisFile?: string; plots: string[] },
): string {
  const m = r.machine;
  const v = r.versions;
  const md: string[] = [];
  md.push(`# meshcart benchmarks (${r.mode})`);
  md.push('');
  md.push(
    `Generated ${r.generatedAt} by \`npm run bench${r.mode === 'smoke' ? ' -- --smoke' : ''}\` in ${Math.round(r.durationS)} s. ` +
      'Every number below comes from this one run; bench/results/latest.json has all of them.',
  );
  md.push('');
  md.push('## Targets');
  md.push('');
  md.push(
    table(
      ['target', 'measured', 'threshold', 'status'],
      r.targets.map((t) => [t.description, t.measured, t.threshold, `**${t.status}**`]),
    ),
  );
  md.push('');
  md.push('## Machine and versions');
  md.push('');
  md.push(
    table(
      ['what', 'value'],
      [
        ['CPUs (nproc)', m.nproc],
        ['CPU model', m.cpuModel],
        ['memory', `${m.memoryGiB} GiB`],
        ['kernel', m.kernel],
        ['load average at start (1/5/15 min)', m.loadAvgAtStart.join(' / ')],
        ['quiet machine?', r.quiet.note],
        ['node', v.node],
        ['go', v.go],
        ['temporal CLI (dev server)', `${v.temporalCli} (server ${v.temporalServer})`],
        ['mariadb', v.mariadb],
        ['@grpc/grpc-js', v.grpcJs],
        ['@temporalio/worker', v.temporalSdk],
        ['ghz', v.ghz],
        ['wrk', v.wrk],
      ],
    ),
  );
  md.push('');
  md.push(
    'Machine load per section (another process on this shared 2-core machine shows up here):',
  );
  md.push('');
  md.push(
    table(
      ['section', 'load avg before (1/5/15)', 'load avg after', 'machine CPU busy (all cores)'],
      r.sections.map((s) => [
        s.section,
        s.loadAvgBefore.map((x) => x.toFixed(2)).join(' / '),
        s.loadAvgAfter.map((x) => x.toFixed(2)).join(' / '),
        `${fmt(s.systemCpuPct, 0)}%`,
      ]),
    ),
  );
  md.push('');
  md.push('## Settings');
  md.push('');
  md.push('```json');
  md.push(JSON.stringify(r.settings, null, 2));
  md.push('```');
  md.push('');
  if (r.grpc.runs.length) {
    md.push('## 1. gRPC hop: services vs a bare grpc-js echo server');
    md.push('');
    md.push(
      `Response sizes: GetProduct ${r.grpc.responseBytes.getProduct} B, GetStock ${r.grpc.responseBytes.getStock} B ` +
        '(the echo server answers the very same bytes). Latencies in ms; ratio = service / echo at the same concurrency.',
    );
    md.push('');
    const hopRows: (string | number)[][] = [];
    const concurrencies = [...new Set(r.grpc.runs.map((x) => x.concurrency))].sort((a, b) => a - b);
    for (const c of concurrencies) {
      for (const pair of HOP_PAIRS) {
        const e = find(r.grpc.runs, pair.echo, c);
        const s = find(r.grpc.runs, pair.service, c);
        for (const x of [e, s]) {
          if (!x) continue;
          const isSvc = x === s && e;
          hopRows.push([
            c,
            x.target,
            fmt(x.rps, 0),
            fmt(x.p50Ms, 3),
            fmt(x.p90Ms, 3),
            fmt(x.p99Ms, 3),
            x.errors,
            isSvc ? `${fmt(x.p50Ms / e.p50Ms)}x` : '',
            isSvc ? `${fmt(x.p99Ms / e.p99Ms)}x` : '',
            isSvc ? `${fmt(x.rps / e.rps)}x` : '',
            cpuCell(x),
          ]);
        }
      }
    }
    md.push(
      table(
        [
          'conc.',
          'target',
          'rps',
          'p50',
          'p90',
          'p99',
          'errors',
          'p50 ratio',
          'p99 ratio',
          'rps ratio',
          'server CPU µs/request',
        ],
        hopRows,
      ),
    );
    md.push('');
    md.push('## 2. JSON edge vs direct gRPC');
    md.push('');
    md.push(
      'Edge: wrk (HTTP/1.1 keep-alive) on GET /v1/products/{sku}; direct: ghz on CatalogService.GetProduct; same concurrency, ' +
        'same duration, one client thread each. Added = edge - direct.',
    );
    md.push('');
    md.push(
      table(
        [
          'conc.',
          'edge rps',
          'edge p50',
          'edge p99',
          'direct rps',
          'direct p50',
          'direct p99',
          'added p50',
          'added p99',
          'rps ratio edge/direct',
          'edge side CPU µs/req',
          'direct side CPU µs/req',
        ],
        concurrencies.flatMap((c) => {
          const e = find(r.grpc.runs, EDGE_TARGET, c);
          const d = find(r.grpc.runs, DIRECT_TARGET, c);
          if (!e || !d) return [];
          return [
            [
              c,
              fmt(e.rps, 0),
              fmt(e.p50Ms, 3),
              fmt(e.p99Ms, 3),
              fmt(d.rps, 0),
              fmt(d.p50Ms, 3),
              fmt(d.p99Ms, 3),
              signed(e.p50Ms - d.p50Ms),
              signed(e.p99Ms - d.p99Ms),
              `${fmt(e.rps / d.rps)}x`,
              cpuCell(e),
              cpuCell(d),
            ],
          ];
        }),
      ),
    );
    md.push('');
  }
  if (r.saga.stages.length) {
    md.push('## 3. Saga: place -> CONFIRMED, real saga vs no-op floor');
    md.push('');
    md.push(
      'real: PlaceOrder over gRPC as a customer, CONFIRMED seen in the orders database (update_time of the CONFIRMED record). ' +
        'noop: bench/noop-saga started with the Temporal client on its own task queue, same worker settings. ' +
        'Latency in ms from the due time of the arrival; failed/unfinished orders count as ∞.',
    );
    md.push('');
    md.push(
      table(
        [
          'saga',
          'stage',
          'placed',
          'confirmed',
          'failed',
          'unfinished',
          'dropped',
          'confirmed/s',
          'p50',
          'p90',
          'p99',
          'max',
          'place p50',
        ],
        r.saga.stages.map((s) => [
          s.driver,
          s.mode === 'open'
            ? `open ${s.rate}/s x ${s.durationS}s`
            : `closed ${s.concurrency} customers x ${s.durationS}s`,
          s.placed + (s.placeErrors ? ` (+${s.placeErrors} errors)` : ''),
          s.confirmed,
          s.failed + (s.failedSamples.length ? ` (${s.failedSamples.join(', ')})` : ''),
          s.unfinished,
          s.dropped,
          fmt(s.confirmedPerS),
          fmt(s.latency.p50, 0),
          fmt(s.latency.p90, 0),
          fmt(s.latency.p99, 0),
          fmt(s.latency.max, 0),
          fmt(s.placeLatency.p50, 0),
        ]),
      ),
    );
    md.push('');
    md.push(
      `Max confirmed orders/s (closed loop): real ${fmt(r.saga.maxReal)}, no-op floor ${fmt(r.saga.maxNoop)}; ` +
        `half-max stage at ${r.saga.halfMaxRate ?? '-'} orders/s.` +
        (r.saga.skippedRates?.length
          ? ` Rates skipped (above 1.25 x the floor's max, they would only build a backlog on the shared Temporal server): ${r.saga.skippedRates.join(', ')} /s.`
          : '') +
        (r.saga.realClockFallbacks
          ? ` (${r.saga.realClockFallbacks} confirmations timed by the poll instead of update_time.)`
          : ''),
    );
    const errs = r.saga.stages.filter((s) => s.placeErrorSamples.length);
    if (errs.length) {
      md.push('');
      md.push('Place errors seen:');
      for (const s of errs)
        md.push(
          `- ${s.driver} ${s.mode} ${s.rate ?? s.concurrency}: ${s.placeErrorSamples.join(' | ')}`,
        );
    }
    md.push('');
  }
  md.push('## 4. CPU and memory per process');
  md.push('');
  md.push(
    'CPU in % of one core (mean over the window / peak 1 s interval), RSS in MiB (mean / max), from /proc/<pid>/stat and status.',
  );
  for (const snap of r.resources) {
    md.push('');
    md.push(
      `**${snap.label}** (machine CPU busy ${fmt(snap.systemCpuPct, 0)}% of all cores, load ${snap.loadAvg.map((x) => x.toFixed(2)).join(' / ')})`,
    );
    md.push('');
    md.push(
      table(
        ['process', 'pid', 'CPU % mean', 'CPU % peak', 'RSS MiB mean', 'RSS MiB max'],
        snap.processes.map((p) => [
          p.name,
          p.pid,
          fmt(p.cpuPct, 1),
          fmt(p.cpuPeakPct, 1),
          fmt(p.rssMbMean, 0),
          fmt(p.rssMbMax, 0),
        ]),
      ),
    );
  }
  md.push('');
  md.push('## Plots');
  md.push('');
  for (const p of opts.plots) md.push(`![${p}](${p})`);
  if (opts.analysisFile && existsSync(opts.analysisFile)) {
    md.push('');
    md.push(readFileSync(opts.analysisFile, 'utf8').trim());
  }
  md.push('');
  return md.join('\n');
}

export const resultsDir = (root: string) => path.join(root, 'bench', 'results');
