/**
 * `npm start` (after scripts/start.sh has bootstrapped and started MariaDB and Temporal):
 * migrates, starts the six services, the saga worker and the edge, seeds the demo catalog,
 * prints where everything is, streams prefixed logs, and stops it all on Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { METRICS_PROCESSES, portsFromEnv, SERVICES } from './ports';
import { startStack } from './stack';
import { assertPortsFree } from './port-check';

const root = path.resolve(__dirname, '../..');
const log = (line: string) => process.stdout.write(`\x1b[36m[meshcart]\x1b[0m ${line}\n`);

async function main(): Promise<void> {
  const ports = portsFromEnv();
  await assertPortsFree([
    ...SERVICES.map((s) => ({ name: s, port: ports.services[s] })),
    { name: 'saga worker health', port: ports.workerHealth },
    { name: 'edge', port: ports.edge },
    ...METRICS_PROCESSES.map((p) => ({ name: `${p} metrics`, port: ports.metrics![p]! })),
  ]);
  const adminUrl = execFileSync('bash', [path.join(root, 'scripts/mariadb.sh'), 'url'], {
    encoding: 'utf8',
  }).trim();
  const started = Date.now();
  const dataDir = process.env.MESHCART_DATA ?? path.join(root, '.data');
  const otelDir = path.join(dataDir, 'otel');
  // Each run starts with empty telemetry files (spans of a previous run would only confuse).
  mkdirSync(otelDir, { recursive: true });
  for (const f of readdirSync(otelDir)) if (f.endsWith('.jsonl')) rmSync(path.join(otelDir, f));
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
  });
  let stopping = false;
  const shutdown = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log(`${why}: stopping everything`);
    void stack.stop().then(() => process.exit(code));
  };
  stack.onUnexpectedExit((name, code) => shutdown(`${name} exited unexpectedly (code ${code})`, 1));
  process.on('SIGINT', () => shutdown('Ctrl-C', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  const rows: [string, string][] = [
    ['JSON edge (frontend API)', stack.edgeUrl],
    ['OpenAPI spec', `${stack.edgeUrl}/openapi.json`],
    ['Temporal Web UI (sagas)', `http://127.0.0.1:${ports.temporalUi}`],
    ['Temporal frontend', `127.0.0.1:${ports.temporal}`],
    ['MariaDB (project-local)', `127.0.0.1:${ports.mysql}`],
    ...SERVICES.map((s): [string, string] => [`${s} (gRPC, reflection on)`, stack.addresses[s]]),
    ['saga worker health (gRPC)', `127.0.0.1:${ports.workerHealth}`],
    [
      'Prometheus metrics',
      `http://127.0.0.1:{${ports.metrics!.users}..${ports.metrics!.edge}}/metrics`,
    ],
    ['Traces', tracesWhere(otelDir)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  log(`meshcart is up in ${((Date.now() - started) / 1000).toFixed(1)}s:`);
  for (const [k, v] of rows) process.stdout.write(`    ${k.padEnd(w)}  ${v}\n`);
  log(
    'try: curl -s localhost:' + ports.edge + '/v1/products?pageSize=3   (Ctrl-C stops everything)',
  );
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

main().catch((e: unknown) => {
  process.stderr.write(
    `\x1b[31m[meshcart] error:\x1b[0m ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exit(1);
});
