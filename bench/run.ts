/**
 * `npm run bench`: the meshcart benchmarks in one bounded run (about 9 minutes; smoke mode
 * about 2). Boots the platform with startStack (own ports, databases and task queue), then:
 *   1. gRPC hop: ghz on catalog GetProduct and inventory GetStock vs a bare grpc-js echo
 *      server answering the same bytes, at concurrency 1/16/64, after a warm-up;
 *   2. JSON edge: wrk on GET /v1/products/{sku} vs the same call over gRPC (ghz);
 *   3. saga: open-loop arrival rates and a closed-loop maximum, real saga vs no-op floor;
 *   4. CPU and RSS of every process, idle and during the saga stages;
 * and writes bench/results/latest.{md,json} and SVG plots.
 *
 * Options: --smoke (or BENCH_SMOKE=1): a few seconds per measurement, one concurrency, one
 *          rate; results go to a temp dir unless --out is given.
 *          --out DIR          where results go (default bench/results)
 *          --only grpc,saga   run only some sections
 *          --wait-quiet MIN   first wait up to MIN minutes for the 1-min load average to drop
 *                             below --quiet-load (default 1.5)
 *          --stack-env K=V    extra environment for every stack process (repeatable), for
 *                             experiments such as OTEL_SDK_DISABLED=true
 *          --concurrency 1,16 override the gRPC hop concurrencies
 *          --report-only      re-render latest.md and the plots from <out>/latest.json
 *          --shared-temporal  measure on the running dev server (MESHCART_TEMPORAL_PORT) instead of
 *                             a dedicated in-memory one started for the run (the default)
 *          --cpu-prof         write V8 CPU profiles of every Node process of the stack into
 *                             .data/bench/prof-<run>/ (for finding hot frames; slows things down)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@meshcart/kit';
import { CatalogServiceService, GetProductResponse } from '@meshcart/proto/shop/catalog/v1/catalog';
import {
  GetStockResponse,
  InventoryServiceService,
} from '@meshcart/proto/shop/inventory/v1/inventory';
import { Client, Connection } from '@temporalio/client';
import { loadWorkerConfig } from '@meshcart/saga/config';
import {
  LOAD_TOOL_LIMITS,
  limitsInForce,
  withLoadProfile,
} from '../scripts/local-stack/load-profile';
import { portHolders } from '../scripts/local-stack/port-holders';
import { argValue, stackEnvArgs } from './lib/args';
import { ROOT, startTsChild, type Child } from './lib/children';
import { noopDriver, realDriver, type NoopDriver, type RealDriver } from './lib/drivers';
import { ghz, wrk, type GhzTarget, type LoadResult } from './lib/load-tools';
import { machineInfo, versions } from './lib/machine';
import { hopLatencySpec, renderSvg, sagaLatencySpec, sagaThroughputSpec } from './lib/plots';
import {
  childProcesses,
  cpuSecondsDuring,
  loadAverage,
  ProcSampler,
  SystemCpu,
  type Watched,
} from './lib/proc';
import {
  DIRECT_TARGET,
  EDGE_TARGET,
  evaluateTargets,
  renderMarkdown,
  type BenchResult,
  type ResourceSnapshot,
  type SectionLoad,
} from './lib/report';
import { startBenchStack, type BenchStack } from './lib/stack';
import { round, sleep } from './lib/stats';
import { NOOP_SAGA_WORKFLOW } from './noop-saga/workflows';
import { closedLoop, openLoop, type SagaDriver, type StageResult } from './lib/saga-load';

interface Options {
  smoke: boolean;
  out: string;
  only: Set<string>;
  waitQuietMin: number;
  quietLoad: number;
  cpuProf: boolean;
  sharedTemporal: boolean;
  /** Extra environment for every process of the stack (experiments, e.g. OTEL_SDK_DISABLED=true). */
  stackEnv: Record<string, string>;
  reportOnly: boolean;
  /** Override the hop concurrencies (experiments). */
  hopConcurrencies?: number[];
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => argValue(argv, name);
  const smoke = argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
  return {
    smoke,
    out: path.resolve(
      get('--out') ??
        (smoke
          ? path.join(os.tmpdir(), 'meshcart-bench-smoke')
          : path.join(ROOT, 'bench', 'results')),
    ),
    only: new Set((get('--only') ?? 'grpc,saga').split(',')),
    waitQuietMin: Number(get('--wait-quiet') ?? 0),
    quietLoad: Number(get('--quiet-load') ?? 1.5),
    cpuProf: argv.includes('--cpu-prof'),
    sharedTemporal: argv.includes('--shared-temporal'),
    stackEnv: stackEnvArgs(argv),
    reportOnly: argv.includes('--report-only'),
    hopConcurrencies: get('--concurrency')?.split(',').map(Number),
  };
}

/** Durations of everything, per mode. */
function plan(smoke: boolean) {
  return smoke
    ? {
        idleS: 2,
        hop: { concurrencies: [16], warmupS: 1, durationS: 3, ghzCpus: 1 },
        saga: {
          warmup: { rate: 2, durationS: 2 },
          closed: null as null | { concurrency: number; warmupS: number; durationS: number },
          rates: [5],
          rateDurationS: 4,
          halfMaxDurationS: 0,
          drainS: 30,
        },
      }
    : {
        idleS: 5,
        hop: { concurrencies: [1, 16, 64], warmupS: 2, durationS: 10, ghzCpus: 1 },
        saga: {
          warmup: { rate: 5, durationS: 4 },
          closed: { concurrency: 24, warmupS: 5, durationS: 20 } as null | {
            concurrency: number;
            warmupS: number;
            durationS: number;
          },
          rates: [5, 10, 20, 40],
          rateDurationS: 15,
          halfMaxDurationS: 20,
          drainS: 10,
        },
      };
}

/** What to stop if the run is interrupted (SIGINT/SIGTERM): run last-registered first. */
const onInterrupt: (() => Promise<unknown>)[] = [];
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n[bench] ${signal}: stopping what the benchmark started\n`);
    void (async () => {
      for (const stop of [...onInterrupt].reverse()) await stop().catch(() => undefined);
      process.exit(130);
    })();
  });
}

const log = (line: string) => process.stdout.write(`\x1b[35m[bench]\x1b[0m ${line}\n`);

async function waitQuiet(o: Options): Promise<{ waitedS: number; note: string }> {
  const started = Date.now();
  const deadline = started + o.waitQuietMin * 60_000;
  for (;;) {
    const [l1, l5] = loadAverage();
    const waitedS = Math.round((Date.now() - started) / 1000);
    if (l1 < o.quietLoad) {
      return {
        waitedS,
        note: `yes: 1-min load ${l1.toFixed(2)} (< ${o.quietLoad}) when the run started, after waiting ${waitedS} s`,
      };
    }
    if (Date.now() >= deadline) {
      return {
        waitedS,
        note:
          `NO: 1-min load ${l1.toFixed(2)}, 5-min ${l5.toFixed(2)} (>= ${o.quietLoad}) when the run started` +
          (o.waitQuietMin > 0 ? ` after waiting ${waitedS} s; ran anyway` : '') +
          ': other work was sharing the 2 cores, so absolute numbers are pessimistic and ratios noisy',
      };
    }
    log(`waiting for a quiet machine: load ${l1.toFixed(2)} (want < ${o.quietLoad})`);
    await sleep(15_000);
  }
}

/** Names the processes we watch: the stack's children, our own children, MariaDB, Temporal. */
function watchedProcesses(stack: BenchStack): Watched[] {
  const named = childProcesses(process.pid, (cmd) => {
    const svc = /services\/(\w+)\/src\/main\.ts/.exec(cmd);
    if (svc) return svc[1];
    if (cmd.includes('saga/src/worker/main.ts')) return 'saga-worker';
    if (cmd.includes('meshcart-edge')) return 'edge (Go)';
    if (cmd.includes('bench/echo-server.ts')) return 'echo-server';
    if (cmd.includes('bench/noop-saga/worker.ts')) return 'noop-worker';
    return undefined;
  });
  const extra: Watched[] = [{ name: 'bench (load generator)', pid: process.pid }];
  const listenerPid = (port: number) => portHolders([port], ROOT).find((h) => h.pid)?.pid;
  const maria = listenerPid(stack.ports.mysql);
  if (maria) extra.push({ name: 'mariadb (shared)', pid: maria });
  const temporal = listenerPid(stack.ports.temporal);
  if (temporal)
    extra.push({
      name: `temporal dev server (${stack.temporal.kind === 'dedicated' ? 'bench, in memory' : 'shared'})`,
      pid: temporal,
    });
  return [...named, ...extra];
}

class Sections {
  readonly list: SectionLoad[] = [];
  async run<T>(section: string, fn: () => Promise<T>): Promise<T> {
    const before = loadAverage();
    const cpu = new SystemCpu();
    const t0 = Date.now();
    log(`── ${section}`);
    try {
      return await fn();
    } finally {
      this.list.push({
        section,
        loadAvgBefore: before,
        loadAvgAfter: loadAverage(),
        systemCpuPct: round(cpu.busyPct(), 1),
      });
      log(`   ${section} took ${Math.round((Date.now() - t0) / 1000)} s`);
    }
  }
}

async function snapshot(
  label: string,
  watched: Watched[],
  seconds: number,
): Promise<ResourceSnapshot> {
  const sampler = new ProcSampler(watched, 1_000).start();
  const cpu = new SystemCpu();
  await sleep(seconds * 1000);
  return {
    label,
    systemCpuPct: round(cpu.busyPct(), 1),
    loadAvg: loadAverage(),
    processes: sampler.stop(),
  };
}

async function sampled<T>(
  label: string,
  watched: () => Watched[],
  out: ResourceSnapshot[],
  fn: () => Promise<T>,
): Promise<T> {
  const sampler = new ProcSampler(watched(), 1_000).start();
  const cpu = new SystemCpu();
  try {
    return await fn();
  } finally {
    out.push({
      label,
      systemCpuPct: round(cpu.busyPct(), 1),
      loadAvg: loadAverage(),
      processes: sampler.stop(),
    });
  }
}

async function grpcSection(
  stack: BenchStack,
  p: ReturnType<typeof plan>,
): Promise<{ runs: LoadResult[]; bytes: { getProduct: number; getStock: number }; echo: Child }> {
  const sku = stack.skus[0]!;
  const catalog = createClient(CatalogServiceService, stack.addresses.catalog, { caller: null });
  const inventory = createClient(InventoryServiceService, stack.addresses.inventory, {
    caller: null,
  });
  const productBytes = GetProductResponse.encode(await catalog.getProduct({ sku })).finish();
  const stockBytes = GetStockResponse.encode(await inventory.getStock({ sku })).finish();
  catalog.close();
  inventory.close();
  const echo = await startTsChild({
    name: 'echo-server',
    entry: 'bench/echo-server.ts',
    env: {
      BENCH_ECHO_PORT: '0',
      BENCH_ECHO_GET_PRODUCT_B64: Buffer.from(productBytes).toString('base64'),
      BENCH_ECHO_GET_STOCK_B64: Buffer.from(stockBytes).toString('base64'),
    },
    ready: /^echo-server listening \d+$/,
    timeoutMs: 60_000,
  });
  onInterrupt.push(() => echo.stop(2_000));
  const echoAddr = `127.0.0.1:${/(\d+)$/.exec(echo.readyLine)![1]}`;
  const getProduct = 'shop.catalog.v1.CatalogService.GetProduct';
  const getStock = 'shop.inventory.v1.InventoryService.GetStock';
  const targets: (GhzTarget | { name: string; url: string })[] = [
    { name: 'echo GetProduct', address: echoAddr, call: getProduct, data: { sku } },
    { name: DIRECT_TARGET, address: stack.addresses.catalog, call: getProduct, data: { sku } },
    { name: EDGE_TARGET, url: `${stack.edgeUrl}/v1/products/${sku}` },
    { name: 'echo GetStock', address: echoAddr, call: getStock, data: { sku } },
    {
      name: 'inventory GetStock',
      address: stack.addresses.inventory,
      call: getStock,
      data: { sku },
    },
  ];
  // The processes that serve each target (CPU per request is measured on them).
  const procs = watchedProcesses(stack);
  const pid = (name: string) => procs.find((w) => w.name === name)?.pid;
  const proc = (name: string, id: number | undefined): Watched[] => (id ? [{ name, pid: id }] : []);
  const maria = proc('mariadb', pid('mariadb (shared)'));
  const serverSide = (target: string): Watched[] =>
    target.startsWith('echo')
      ? proc('echo', echo.pid)
      : target.startsWith('catalog')
        ? [...proc('catalog', pid('catalog')), ...maria]
        : target.startsWith('inventory')
          ? [...proc('inventory', pid('inventory')), ...maria]
          : [...proc('edge', pid('edge (Go)')), ...proc('catalog', pid('catalog')), ...maria];
  const runs: LoadResult[] = [];
  for (const c of p.hop.concurrencies) {
    for (const t of targets) {
      const go = (durationS: number) =>
        'url' in t
          ? wrk(t.name, t.url, { concurrency: c, durationS })
          : ghz(t, { concurrency: c, durationS, cpus: p.hop.ghzCpus });
      await go(p.hop.warmupS);
      const { result: r, cpuS } = await cpuSecondsDuring(serverSide(t.name), () =>
        go(p.hop.durationS),
      );
      r.cpuUsPerRequest = Object.fromEntries(
        Object.entries(cpuS).map(([k, v]) => [k, round((v * 1e6) / Math.max(1, r.requests), 1)]),
      );
      runs.push(r);
      log(
        `   c=${String(c).padStart(2)} ${t.name.padEnd(30)} ${r.rps.toFixed(0).padStart(6)} rps  p50 ${r.p50Ms.toFixed(3)}  p90 ${r.p90Ms.toFixed(3)}  p99 ${r.p99Ms.toFixed(3)} ms` +
          `  cpu/req ${Object.entries(r.cpuUsPerRequest ?? {})
            .map(([k, v]) => `${k} ${v.toFixed(0)}µs`)
            .join(' ')}` +
          (r.errors ? `  errors ${r.errors}: ${r.errorSamples.join(' | ')}` : ''),
      );
    }
  }
  return { runs, bytes: { getProduct: productBytes.length, getStock: stockBytes.length }, echo };
}

/** Waits (bounded) until the previous stage's orders are all finished, so stages do not overlap. */
async function settle(d: SagaDriver & { outstanding?: () => Promise<number> }): Promise<void> {
  if (!d.outstanding) return;
  const deadline = Date.now() + 15_000;
  let n = await d.outstanding();
  while (n > 0 && Date.now() < deadline) {
    await sleep(250);
    n = await d.outstanding();
  }
  if (n > 0)
    log(`   ${d.name}: ${n} order(s) of an earlier stage still unfinished after 15 s; going on`);
}

function logStage(s: StageResult): void {
  const what = s.mode === 'open' ? `open ${s.rate}/s` : `closed x${s.concurrency}`;
  log(
    `   ${s.driver.padEnd(4)} ${what.padEnd(12)} placed ${s.placed} (+${s.placeErrors} err) confirmed ${s.confirmed} failed ${s.failed} unfinished ${s.unfinished}` +
      `  ${s.confirmedPerS.toFixed(1)}/s  p50 ${s.latency.p50.toFixed(0)}  p90 ${s.latency.p90.toFixed(0)}  p99 ${s.latency.p99.toFixed(0)} ms` +
      (s.placeErrorSamples.length ? `  (${s.placeErrorSamples[0]})` : '') +
      (s.failedSamples.length ? `  failed as ${s.failedSamples.join(',')}` : ''),
  );
}

async function sagaSection(
  stack: BenchStack,
  p: ReturnType<typeof plan>,
  resources: ResourceSnapshot[],
): Promise<{
  stages: StageResult[];
  maxReal: number | null;
  maxNoop: number | null;
  halfMaxRate: number | null;
  skippedRates: number[];
  fallbacks: number;
  noopQueue: string;
}> {
  const noopQueue = `${stack.taskQueue}-noop`;
  // The real worker's configuration, read with its own loader from the same environment.
  const workerConfig = loadWorkerConfig({ ...process.env, ...stack.env });
  let noop: NoopDriver | undefined;
  const worker = await startTsChild({
    name: 'noop-worker',
    entry: 'bench/noop-saga/worker.ts',
    env: { ...stack.env, BENCH_NOOP_TASK_QUEUE: noopQueue, TEMPORAL_TASK_QUEUE: noopQueue },
    ready: /^noop-worker polling /,
    timeoutMs: 180_000,
    onLine: (l) => noop?.onWorkerLine(l),
  });
  onInterrupt.push(() => worker.stop(5_000));
  let real: RealDriver | undefined;
  try {
    noop = await noopDriver({
      run: stack.run,
      temporalAddress: stack.env.TEMPORAL_ADDRESS!,
      namespace: workerConfig.temporalNamespace,
      taskQueue: noopQueue,
      workflowType: NOOP_SAGA_WORKFLOW,
      skus: stack.skus,
    });
    real = await realDriver({
      run: stack.run,
      ordersAddr: stack.addresses.orders,
      signer: stack.signer,
      skus: stack.skus,
      ordersDbUrl: stack.ordersDbUrl,
    });
    const drivers: SagaDriver[] = [real, noop];
    const watched = () => watchedProcesses(stack);
    let seq = 0;
    const nextSeq = (n: number) => {
      const base = seq;
      seq += n + 10;
      return base;
    };
    const stages: StageResult[] = [];
    const s = p.saga;
    // Warm-up (JIT, connections, workflow caches): not recorded.
    for (const d of drivers) {
      const w = await openLoop(d, { ...s.warmup, drainS: s.drainS, seqBase: nextSeq(100) });
      log(`   warm-up ${d.name}: ${w.confirmed}/${w.placed} confirmed`);
    }
    let maxReal: number | null = null;
    let maxNoop: number | null = null;
    if (s.closed) {
      for (const d of drivers) {
        await settle(d);
        const r = await sampled(
          `during the saga: ${d.name} closed loop (max)`,
          watched,
          resources,
          () => closedLoop(d, { ...s.closed!, drainS: s.drainS, seqBase: nextSeq(100_000) }),
        );
        stages.push(r);
        logStage(r);
        if (d === real) maxReal = r.confirmedPerS;
        else maxNoop = r.confirmedPerS;
      }
    }
    const halfMaxRate = maxReal ? Math.max(1, Math.round(maxReal / 2)) : null;
    // Half-max first (the target's stage, right after the closed loop), then the fixed rates
    // ascending; a fixed rate equal to the half-max rate is not measured twice.
    const openStages: { rate: number; durationS: number; label: string }[] = [];
    const skippedRates: number[] = [];
    if (halfMaxRate !== null && s.halfMaxDurationS > 0) {
      openStages.push({ rate: halfMaxRate, durationS: s.halfMaxDurationS, label: ' (half max)' });
    }
    // The Temporal dev server is shared: arrival rates far above what the no-op floor sustained
    // only build a backlog (and, on SQLite, a storm of persistence timeouts). Skip them.
    const ceiling = maxNoop ? Math.max(5, maxNoop * 1.25) : Infinity;
    for (const rate of s.rates) {
      if (rate > ceiling) {
        log(`   skipping ${rate}/s: above 1.25 x the no-op floor's max (${maxNoop!.toFixed(1)}/s)`);
        skippedRates.push(rate);
        continue;
      }
      if (!openStages.some((x) => x.rate === rate))
        openStages.push({ rate, durationS: s.rateDurationS, label: '' });
    }
    for (const st of openStages) {
      for (const d of drivers) {
        await settle(d);
        const r = await sampled(
          `during the saga: ${d.name} open ${st.rate}/s${st.label}`,
          watched,
          resources,
          () =>
            openLoop(d, {
              rate: st.rate,
              durationS: st.durationS,
              drainS: s.drainS,
              seqBase: nextSeq(st.rate * st.durationS),
            }),
        );
        stages.push(r);
        logStage(r);
      }
    }
    return {
      stages,
      maxReal,
      maxNoop,
      halfMaxRate,
      skippedRates,
      fallbacks: real.clockFallbacks(),
      noopQueue,
    };
  } finally {
    await real?.close();
    await noop?.close();
    await worker.stop(25_000);
  }
}

/** Terminates workflows still running on our task queues (a stage cut off by its drain deadline). */
async function cleanupWorkflows(address: string, queues: string[]): Promise<number> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  let n = 0;
  const deadline = Date.now() + 60_000;
  try {
    for (const q of queues) {
      for await (const wf of client.workflow.list({
        query: `TaskQueue = "${q}" AND ExecutionStatus = "Running"`,
      })) {
        if (Date.now() > deadline || n >= 5_000) break;
        await client.workflow
          .getHandle(wf.workflowId, wf.runId)
          .terminate('benchmark finished')
          .catch(() => undefined);
        n++;
      }
    }
  } finally {
    await connection.close();
  }
  return n;
}

async function writeReport(result: BenchResult, o: Options): Promise<void> {
  const plots: string[] = [];
  if (result.grpc.runs.length) {
    writeFileSync(
      path.join(o.out, 'grpc-latency.svg'),
      await renderSvg(hopLatencySpec(result.grpc.runs)),
    );
    plots.push('grpc-latency.svg');
  }
  if (result.saga.stages.length) {
    writeFileSync(
      path.join(o.out, 'saga-latency.svg'),
      await renderSvg(sagaLatencySpec(result.saga.stages)),
    );
    writeFileSync(
      path.join(o.out, 'saga-throughput.svg'),
      await renderSvg(sagaThroughputSpec(result.saga.stages)),
    );
    plots.push('saga-latency.svg', 'saga-throughput.svg');
  }
  writeFileSync(
    path.join(o.out, 'latest.json'),
    JSON.stringify(result, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v), 2) + '\n',
  );
  writeFileSync(
    path.join(o.out, 'latest.md'),
    renderMarkdown(result, {
      plots,
      analysisFile: result.mode === 'smoke' ? undefined : path.join(ROOT, 'bench', 'ANALYSIS.md'),
    }),
  );
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const p = plan(o.smoke);
  if (o.hopConcurrencies) p.hop.concurrencies = o.hopConcurrencies;
  const t0 = Date.now();
  mkdirSync(o.out, { recursive: true });
  if (o.reportOnly) {
    const result = JSON.parse(
      readFileSync(path.join(o.out, 'latest.json'), 'utf8'),
      (_k, v: unknown) => (v === 'Infinity' ? Infinity : v),
    ) as BenchResult;
    result.targets = evaluateTargets(result);
    await writeReport(result, o);
    log(`re-rendered ${path.relative(ROOT, o.out)}/latest.md`);
    return;
  }
  log(`mode ${o.smoke ? 'smoke' : 'full'}; results -> ${path.relative(ROOT, o.out) || o.out}`);
  execFileSync('bash', [path.join(ROOT, 'bench/ensure-tools.sh')], { stdio: 'inherit' });
  const quiet =
    o.waitQuietMin > 0 || !o.smoke
      ? await waitQuiet(o)
      : { waitedS: 0, note: 'smoke run: not checked' };
  const machine = machineInfo();
  log(
    `machine: ${machine.nproc} CPUs, ${machine.cpuModel}, ${machine.memoryGiB} GiB; load ${machine.loadAvgAtStart.join(' ')}`,
  );
  const sections = new Sections();
  const resources: ResourceSnapshot[] = [];
  const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info';
  const cancellationWindow = process.env.BENCH_CANCELLATION_WINDOW ?? '2s';
  // The supervisor passes its environment on to every process it starts.
  // Under the load profile: one address, few customers, rates no customer reaches.
  Object.assign(process.env, withLoadProfile(o.stackEnv));
  let profDir: string | undefined;
  if (o.cpuProf) {
    profDir = path.join(ROOT, '.data', 'bench', `prof-${Date.now()}`);
    mkdirSync(profDir, { recursive: true });
    // --cpu-prof is refused in NODE_OPTIONS: an inspector-based preload does the same.
    process.env.BENCH_CPU_PROF_DIR = profDir;
    process.env.NODE_OPTIONS =
      `${process.env.NODE_OPTIONS ?? ''} --require tsx/cjs --require ${path.join(ROOT, 'bench/lib/cpu-prof-preload.ts')}`.trim();
  }
  const stack = await sections.run('boot the stack (startStack)', () =>
    startBenchStack({
      logLevel,
      cancellationWindow,
      sharedTemporal: o.sharedTemporal,
      log: (l) => log(`   ${l}`),
    }),
  );
  if (profDir) {
    delete process.env.NODE_OPTIONS; // the stack's Node processes only
    delete process.env.BENCH_CPU_PROF_DIR;
    const nodes = watchedProcesses(stack).filter(
      (w) => !/edge|mariadb|temporal|bench/.test(w.name),
    );
    writeFileSync(
      path.join(profDir, 'processes.json'),
      JSON.stringify(Object.fromEntries(nodes.map((w) => [w.pid, w.name])), null, 2),
    );
    for (const w of nodes) process.kill(w.pid, 'SIGUSR2'); // start sampling now (boot excluded)
  }
  log(
    `stack up: ${stack.edgeUrl}, task queue ${stack.taskQueue}, logs ${path.relative(ROOT, stack.logFile)}`,
  );
  let echo: Child | undefined;
  let noopQueue: string | undefined;
  // Sagas still open on a shared server are terminated; a dedicated one is simply stopped.
  const cleanup = async (queues: string[]) =>
    stack.temporal.kind === 'shared'
      ? cleanupWorkflows(stack.env.TEMPORAL_ADDRESS!, queues).catch(() => 0)
      : 0;
  onInterrupt.push(async () => {
    await echo?.stop();
    await cleanup([stack.taskQueue, `${stack.taskQueue}-noop`]);
    await stack.stop();
  });
  try {
    const vers = await versions(stack.adminUrl);
    await sleep(2_000); // let the boot settle before the idle sample
    resources.push(await snapshot('idle (stack up, no load)', watchedProcesses(stack), p.idleS));
    let grpc: BenchResult['grpc'] = { responseBytes: { getProduct: 0, getStock: 0 }, runs: [] };
    if (o.only.has('grpc')) {
      const g = await sections.run('1+2. gRPC hop and JSON edge', () => grpcSection(stack, p));
      echo = g.echo;
      grpc = { responseBytes: g.bytes, runs: g.runs };
      await echo.stop();
      echo = undefined;
    }
    let saga: BenchResult['saga'] = {
      stages: [],
      maxReal: null,
      maxNoop: null,
      halfMaxRate: null,
      realClockFallbacks: 0,
      skippedRates: [],
    };
    if (o.only.has('saga')) {
      const s = await sections.run('3. saga (real and no-op)', () =>
        sagaSection(stack, p, resources),
      );
      noopQueue = s.noopQueue;
      saga = {
        stages: s.stages,
        maxReal: s.maxReal,
        maxNoop: s.maxNoop,
        halfMaxRate: s.halfMaxRate,
        realClockFallbacks: s.fallbacks,
        skippedRates: s.skippedRates,
      };
    }
    const workerConfig = loadWorkerConfig({ ...process.env, ...stack.env });
    const result: BenchResult = {
      generatedAt: new Date().toISOString(),
      mode: o.smoke ? 'smoke' : 'full',
      durationS: (Date.now() - t0) / 1000,
      machine,
      versions: vers,
      quiet: {
        waitedS: quiet.waitedS,
        threshold: o.quietLoad,
        loadAvgAtRun: machine.loadAvgAtStart,
        note: quiet.note,
      },
      settings: {
        stack: {
          logLevel,
          services: 'node --require tsx/cjs + telemetry preload (as npm start)',
          telemetry:
            'stack default without files: OTel SDK on, no exporter configured, METRICS_PORT=0',
          extraEnv: o.stackEnv,
          loadProfile: LOAD_TOOL_LIMITS,
          limitsInForce: limitsInForce(readFileSync(stack.logFile, 'utf8')),
          temporal: `${stack.env.TEMPORAL_ADDRESS} (${stack.temporal.kind === 'dedicated' ? 'dedicated to this run, in memory' : 'shared'}; scripts/temporal.sh flags incl. eager activity dispatch)`,
          mariadb: `127.0.0.1:${stack.ports.mysql}`,
        },
        ghz: {
          connections: 1,
          cpus: p.hop.ghzCpus,
          timeout: '5s',
          warmupS: p.hop.warmupS,
          durationS: p.hop.durationS,
          concurrencies: p.hop.concurrencies,
          proto: 'gen/ts/descriptor.binpb',
        },
        wrk: {
          threads: 1,
          keepAlive: true,
          timeout: '5s',
          warmupS: p.hop.warmupS,
          durationS: p.hop.durationS,
        },
        saga: {
          ...p.saga,
          customers: 16,
          order: '1 item, quantity 1, tok_visa, DE address',
          confirmedDetection:
            'real: orders DB polled every 20 ms by primary key, time = update_time of the CONFIRMED record; noop: worker reports Date.now() in recordOrderProgress(CONFIRMED)',
          worker: {
            maxConcurrentActivities: workerConfig.maxConcurrentActivities,
            maxConcurrentWorkflowTasks: workerConfig.maxConcurrentWorkflowTasks,
            rpcTimeoutMs: workerConfig.rpcTimeoutMs,
            cancellationWindow,
          },
        },
        cpuProfiles: profDir ? path.relative(ROOT, profDir) : null,
      },
      grpc,
      saga,
      resources,
      sections: sections.list,
      targets: [],
    };
    result.targets = evaluateTargets(result);
    await writeReport(result, o);
    for (const t of result.targets) log(`${t.status.padEnd(6)} ${t.description}: ${t.measured}`);
  } finally {
    await echo?.stop();
    const n = await cleanup([stack.taskQueue, ...(noopQueue ? [noopQueue] : [])]);
    await stack.stop();
    if (n) log(`terminated ${n} workflow(s) left running on the bench task queues`);
    log(`done in ${Math.round((Date.now() - t0) / 1000)} s`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(
      `\x1b[31m[bench] error:\x1b[0m ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  },
);
