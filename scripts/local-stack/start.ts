/**
 * `npm start` (after scripts/start.sh has bootstrapped): starts MariaDB and the Temporal dev
 * server (unless already running for this data dir), migrates, starts the six services, the saga
 * worker and the edge, seeds the demo catalog, prints where everything is, streams prefixed logs,
 * and stops it all on Ctrl-C - at ANY moment: the lifecycle's signal handlers are installed by
 * the first statement below, each phase registers its undo step before it starts, and a reaper
 * plus per-child lifelines make sure nothing outlives this process even if it is SIGKILLed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startInfra } from './infra';
import { isAbort, Lifecycle } from './lifecycle';
import { localPaymentsFromEnv, paymentsEnv } from './payment-provider';
import { assertPortsFree } from './port-check';
import { allStackPorts, portsFromEnv, SERVICES } from './ports';
import { removeSupervisorRecord, writeSupervisorRecord } from './run-files';
import { startStack, STOP_GRACE_MS } from './stack';
import { Supervisor } from './supervisor';

const log = (line: string) => process.stdout.write(`\x1b[36m[meshcart]\x1b[0m ${line}\n`);
const life = new Lifecycle(log);
const root = path.resolve(__dirname, '../..');
const dataDir = process.env.MESHCART_DATA ?? path.join(root, '.data');

async function main(): Promise<void> {
  const ports = portsFromEnv();
  const payments = localPaymentsFromEnv();
  const mockPort = payments.provider === 'stripe' ? payments.mockPort : null;
  const sup = new Supervisor(
    [...SERVICES, 'worker', 'edge', 'seed', 'mariadb', 'temporal', 'stripe-mock'],
    process.stdout,
    process.env.MESHCART_RAW_LOGS !== '1',
    path.join(dataDir, 'run', 'reaper.log'),
  );
  writeSupervisorRecord(dataDir, {
    pid: process.pid,
    stackId: sup.stackId,
    root,
    startedAt: new Date().toISOString(),
  });
  // Registered first, so it runs last: after every process is down, the reaper may go.
  life.onUnwind('reaper', async () => {
    sup.release();
    removeSupervisorRecord(dataDir, process.pid);
  });
  life.onForce = () => {
    sup.killAll();
    for (const infra of ['temporal', 'mariadb', 'stripe-mock']) {
      try {
        const pidFile = execFileSync('bash', [path.join(root, `scripts/${infra}.sh`), 'pidfile'], {
          encoding: 'utf8',
        }).trim();
        process.kill(Number(execFileSync('cat', [pidFile], { encoding: 'utf8' })), 'SIGKILL');
      } catch {
        /* not running */
      }
    }
    removeSupervisorRecord(dataDir, process.pid);
  };
  sup.onUnexpectedExit = (name, code) => life.fail(`${name} exited unexpectedly (code ${code})`);
  log('phase: checking ports');
  const infraRunning = (name: string) => {
    try {
      execFileSync('bash', [path.join(root, `scripts/${name}.sh`), 'status'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const skip = new Set<string>([
    ...(infraRunning('mariadb') ? ['MariaDB'] : []),
    ...(infraRunning('temporal') ? ['Temporal', 'Temporal Web UI'] : []),
    ...(infraRunning('stripe-mock') ? ['stripe-mock'] : []),
  ]);
  const extraPorts = [
    ...(mockPort ? [{ name: 'stripe-mock', port: mockPort }] : []),
    ...(payments.provider === 'stripe'
      ? [{ name: 'payments Stripe webhooks', port: payments.webhookPort }]
      : []),
  ];
  await assertPortsFree(
    [...allStackPorts(ports), ...extraPorts].filter((p) => !skip.has(p.name)),
    root,
  );
  life.check();
  log('phase: starting MariaDB');
  await startInfra('mariadb', { root, sup, life, log });
  log('phase: starting Temporal');
  await startInfra('temporal', { root, sup, life, log });
  if (mockPort) {
    log('phase: starting stripe-mock (PAYMENT_PROVIDER=stripe)');
    await startInfra('stripe-mock', { root, sup, life, log });
  }
  const adminUrl = execFileSync('bash', [path.join(root, 'scripts/mariadb.sh'), 'url'], {
    encoding: 'utf8',
  }).trim();
  const started = Date.now();
  const otelDir = path.join(dataDir, 'otel');
  // Each run starts with empty telemetry files (spans of a previous run would only confuse).
  mkdirSync(otelDir, { recursive: true });
  for (const f of readdirSync(otelDir)) if (f.endsWith('.jsonl')) rmSync(path.join(otelDir, f));
  life.onUnwind('services, worker and edge', async () => {
    log('stopping the edge, the worker and the services');
    await sup.stopAll(STOP_GRACE_MS);
  });
  log('phase: migrations and services');
  const stack = await startStack({
    root,
    dataDir,
    ports,
    adminUrl,
    temporalAddress: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${ports.temporal}`,
    dbPrefix: 'shop_',
    seed: process.env.MESHCART_SEED !== '0',
    logLevel: process.env.LOG_LEVEL ?? 'info',
    prettyLogs: process.env.MESHCART_RAW_LOGS !== '1',
    log,
    telemetry: { dir: otelDir, tracesToFile: true },
    supervisor: sup,
    signal: life.signal,
    paymentsEnv: paymentsEnv(payments, dataDir),
  });
  const rows: [string, string][] = [
    ['JSON edge (frontend API)', stack.edgeUrl],
    ['OpenAPI spec', `${stack.edgeUrl}/openapi.json`],
    ['Temporal Web UI (sagas)', `http://127.0.0.1:${ports.temporalUi}`],
    ['Temporal frontend', `127.0.0.1:${ports.temporal}`],
    ['MariaDB (project-local)', `127.0.0.1:${ports.mysql}`],
    ...SERVICES.map((s): [string, string] => [`${s} (gRPC, reflection on)`, stack.addresses[s]]),
    ['saga worker health (gRPC)', `127.0.0.1:${ports.workerHealth}`],
    ...(payments.provider === 'stripe'
      ? ([
          ['payment provider', `stripe at ${payments.apiBase}`],
          [
            'Stripe webhooks (payments)',
            `http://127.0.0.1:${payments.webhookPort}/webhooks/stripe`,
          ],
        ] as [string, string][])
      : ([['payment provider', 'simulated (tok_visa, tok_decline, tok_flaky)']] as [
          string,
          string,
        ][])),
    [
      'Prometheus metrics',
      `http://127.0.0.1:{${Math.min(...Object.values(ports.metrics!))}..${Math.max(...Object.values(ports.metrics!))}}/metrics`,
    ],
    ['Traces', tracesWhere(otelDir)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  log(`meshcart is up in ${((Date.now() - started) / 1000).toFixed(1)}s:`);
  for (const [k, v] of rows) process.stdout.write(`    ${k.padEnd(w)}  ${v}\n`);
  log(
    'try: curl -s localhost:' +
      ports.edge +
      '/v1/products?pageSize=3   (Ctrl-C stops everything; `npm run stop` from another shell too)',
  );
  await life.whenAborted();
}

/** Where spans go, as the processes will decide it (docs/observability.md). */
function tracesWhere(otelDir: string): string {
  const e = process.env;
  if (e.OTEL_SDK_DISABLED === 'true') return 'off (OTEL_SDK_DISABLED=true)';
  if (e.OTEL_TRACES_EXPORTER) return `OTEL_TRACES_EXPORTER=${e.OTEL_TRACES_EXPORTER}`;
  if (e.OTEL_EXPORTER_OTLP_ENDPOINT || e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
    return 'OTLP collector';
  return `${path.relative(process.cwd(), otelDir) || '.'}/<process>.spans.jsonl (one JSON span per line)`;
}

/** Exit 0 after a requested stop (Ctrl-C, SIGTERM), 1 after a failure; unwind first either way. */
main().then(
  async () => {
    await life.unwind();
    log('stopped');
    process.exit(life.failed ? 1 : 0);
  },
  async (e: unknown) => {
    if (!isAbort(e)) {
      process.stderr.write(
        `\x1b[31m[meshcart] error:\x1b[0m ${e instanceof Error ? e.message : String(e)}\n`,
      );
    }
    await life.unwind();
    log('stopped');
    process.exit(isAbort(e) && !life.failed ? 0 : 1);
  },
);
