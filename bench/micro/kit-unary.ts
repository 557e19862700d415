/**
 * The kit's per-call cost, in isolation: one server process with three gRPC servers answering a
 * constant GetProductResponse, and a grpc-js client (this process) driving each in turn:
 *   plain    CatalogService.GetProduct on a bare grpc-js Server (what bench/echo-server.ts is)
 *   kit      the same through implement() + createGrpcServer(), handler ignores its ctx
 *   kit-ctx  the same, handler reading ctx.logger, ctx.deadline and ctx.propagate (what a handler
 *            that logs and calls on through a kit client reads; it writes no line)
 * The server runs as a child process, started the way services are started:
 *   bare     node --require tsx/cjs
 *   preload  + the kit telemetry preload, no exporter, METRICS_PORT=0 (the bench stack's default)
 *   metrics  + preload with a Prometheus endpoint (RED metrics recorded)
 *   traced   + preload with OTEL_TRACES_EXPORTER=file (npm start's default), no metrics
 * Figures: calls/s (wall, client included) and the server process's CPU µs per call
 * (process.cpuUsage of the child around each run: robust against a busy machine, unlike latency).
 *
 * Usage: npx tsx bench/micro/kit-unary.ts [n=20000] [concurrency=1,16] [modes=bare,preload] [rounds=3]
 * KIT_UNARY_CPU_PROF=<dir> writes a V8 CPU profile of each server process (bench/profile-top.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  CatalogServiceService,
  type GetProductResponse,
} from '@meshcart/proto/shop/catalog/v1/catalog';
// Not '@meshcart/kit/testkit': that one also loads Temporal's test server, a heavy import.
import { freePort } from '@meshcart/kit/testkit';

const ROOT = path.resolve(__dirname, '../..');
// KIT_UNARY_KIT=<dir>: another copy of packages/kit/src inside the repo (e.g. .data/kit-before/src,
// the version before a change), preload included, so before/after run on the same machine state.
const KIT = process.env.KIT_UNARY_KIT
  ? path.resolve(ROOT, process.env.KIT_UNARY_KIT)
  : path.join(ROOT, 'packages/kit/src');
const PRELOAD = path.join(KIT, 'telemetry/register.ts');
const TARGETS = ['plain', 'kit', 'kit-ctx'] as const;
type Target = (typeof TARGETS)[number];
type Msg = { ports: Record<Target, number> } | { cpu: NodeJS.CpuUsage };

const RESPONSE: GetProductResponse = {
  product: {
    sku: 'BENCH-0001',
    name: 'Cast Iron Skillet 20 cm',
    description: 'Pre-seasoned skillet for every hob, oven safe. Benchmark product.',
    category: 'kitchen',
    price: { currencyCode: 'EUR', amountMinor: '3990' },
    active: true,
    updateTime: undefined,
  },
};

/** Child: the three servers; answers `cpu` with its process.cpuUsage(). */
async function serve(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createGrpcServer, createLogger, implement } = require(
    KIT,
  ) as typeof import('@meshcart/kit');
  const logger = createLogger({ service: 'micro', level: 'info' });
  const plain = new Server();
  plain.addService(CatalogServiceService, {
    getProduct: (_c: unknown, cb: (e: null, r: GetProductResponse) => void) => cb(null, RESPONSE),
  });
  const kitServer = (touchCtx: boolean) =>
    createGrpcServer({
      logger,
      reflection: false,
      services: [
        {
          name: 'shop.catalog.v1.CatalogService',
          definition: CatalogServiceService,
          implementation: implement(
            CatalogServiceService,
            {
              getProduct: async (_req, ctx) => {
                if (touchCtx && (!ctx.logger || !ctx.deadline || !ctx.propagate))
                  throw new Error('unreachable');
                return RESPONSE;
              },
              listProducts: async () => ({ products: [], nextPageToken: '' }),
              batchGetProducts: async () => ({ products: [], missingSkus: [] }),
            },
            { logger, domain: 'micro.meshcart', access: { getProduct: 'public' } },
          ),
        },
      ],
    });
  const plainPort = await new Promise<number>((resolve, reject) =>
    plain.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
  const ports = {
    plain: plainPort,
    kit: await kitServer(false).listen('127.0.0.1', 0),
    'kit-ctx': await kitServer(true).listen('127.0.0.1', 0),
  };
  process.send!({ ports } satisfies Msg);
  process.on('message', () => process.send!({ cpu: process.cpuUsage() } satisfies Msg));
  process.on('disconnect', () => process.exit(0));
}

async function startServer(mode: string, tmp: string) {
  const env: Record<string, string> = { OTEL_SERVICE_NAME: 'micro', METRICS_PORT: '0' };
  if (mode === 'metrics')
    Object.assign(env, { METRICS_PORT: String(await freePort()), METRICS_HOST: '127.0.0.1' });
  if (mode === 'traced')
    Object.assign(env, {
      OTEL_TRACES_EXPORTER: 'file',
      MESHCART_OTEL_FILE: path.join(tmp, 'micro.spans.jsonl'),
    });
  const child = fork(__filename, ['--serve'], {
    cwd: ROOT,
    execArgv: [
      ...(process.env.KIT_UNARY_CPU_PROF
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.KIT_UNARY_CPU_PROF]
        : []),
      '--require',
      'tsx/cjs',
      ...(mode === 'bare' ? [] : ['--require', PRELOAD]),
    ],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise<{ child: ChildProcess; ports: Msg }>((resolve, reject) => {
    child.once('message', (ports: Msg) => resolve({ child, ports }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

const cpuOf = (child: ChildProcess) =>
  new Promise<number>((resolve) => {
    child.once('message', (m: Msg) => resolve('cpu' in m ? m.cpu.user + m.cpu.system : NaN));
    child.send('cpu');
  });

type Unary = (
  req: unknown,
  md: Metadata,
  opts: { deadline: number },
  cb: (err: ServiceError | null) => void,
) => void;

async function drive(port: number, n: number, concurrency: number, child?: ChildProcess) {
  const Ctor = makeGenericClientConstructor(CatalogServiceService, 'micro');
  const client = new Ctor(`127.0.0.1:${port}`, credentials.createInsecure());
  const getProduct = (client as unknown as Record<string, Unary>).getProduct!.bind(client);
  // Like ghz and kit clients: a deadline on every call (grpc-timeout header).
  const call = () =>
    new Promise<void>((resolve, reject) =>
      getProduct({ sku: 'BENCH-0001' }, new Metadata(), { deadline: Date.now() + 10_000 }, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
  try {
    const cpu0 = child ? await cpuOf(child) : 0;
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < n) await call();
      }),
    );
    const wallMs = performance.now() - t0;
    const cpu1 = child ? await cpuOf(child) : 0;
    return { callsPerS: (n / wallMs) * 1000, cpuUs: (cpu1 - cpu0) / n };
  } finally {
    client.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const [nArg = '20000', cArg = '1,16', mArg = 'bare,preload', rArg = '3'] = process.argv.slice(2);
  const n = Number(nArg);
  const rounds = Number(rArg);
  const tmp = mkdtempSync(path.join(tmpdir(), 'kit-unary-'));
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(
    `kit ${path.relative(ROOT, KIT)}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  out(`n=${n} per run, ${rounds} rounds, median shown [min-max of server CPU µs/call]`);
  try {
    for (const mode of mArg.split(',')) {
      const { child, ports } = await startServer(mode, tmp);
      if (!('ports' in ports)) throw new Error('no ports');
      try {
        for (const t of TARGETS) await drive(ports.ports[t], 3_000, 16); // warm-up (JIT)
        for (const c of cArg.split(',').map(Number)) {
          const runs = Object.fromEntries(
            TARGETS.map((t) => [t, [] as { callsPerS: number; cpuUs: number }[]]),
          );
          for (let r = 0; r < rounds; r++)
            for (const t of TARGETS) runs[t]!.push(await drive(ports.ports[t], n, c, child));
          const line = TARGETS.map((t) => {
            const cpu = runs[t]!.map((x) => x.cpuUs);
            const rate = median(runs[t]!.map((x) => x.callsPerS));
            return `${t} ${rate.toFixed(0)}/s ${median(cpu).toFixed(1)} µs [${Math.min(...cpu).toFixed(1)}-${Math.max(...cpu).toFixed(1)}]`;
          });
          const kitOver =
            median(runs.kit!.map((x) => x.cpuUs)) - median(runs.plain!.map((x) => x.cpuUs));
          out(
            `${mode.padEnd(8)} c=${String(c).padEnd(3)} ${line.join(' | ')} | kit-plain +${kitOver.toFixed(1)} µs`,
          );
        }
      } finally {
        child.disconnect();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') void serve();
else
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
