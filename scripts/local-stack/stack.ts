import { spawn } from 'node:child_process';
import path from 'node:path';
import { checkHealth } from '@meshcart/kit';
import { prepareDatabases } from './databases';
import { ensureDevKeys, signingWorkloads, type DevKey } from './dev-keys';
import { SERVICES, type MetricsProcess, type ServiceName, type StackPorts } from './ports';
import { abortError, sleep } from './lifecycle';
import { Supervisor } from './supervisor';
import { telemetryEnv, TELEMETRY_PRELOAD, type StackTelemetry } from './telemetry';

export interface StackOptions {
  root: string;
  dataDir: string;
  ports: StackPorts;
  /** Admin URL of the MySQL/MariaDB server (creates databases and users). */
  adminUrl: string;
  temporalAddress: string;
  /** Database/user name prefix: `shop_` locally, unique per e2e run. */
  dbPrefix: string;
  taskQueue?: string;
  seed: boolean;
  logLevel: string;
  out?: NodeJS.WritableStream;
  prettyLogs?: boolean;
  log: (line: string) => void;
  /** Where span/metric files go, and whether traces go there when the environment chooses no exporter. */
  telemetry?: StackTelemetry;
  /**
   * The payments process's provider settings (payment-provider.ts paymentsEnv); default the
   * simulated provider with its opt-in.
   */
  paymentsEnv?: Record<string, string>;
  /** Extra environment for every process (tests: OTEL_*, SAGA_* settings, ...). */
  env?: Record<string, string>;
  /** The supervisor to start the processes with (npm start makes it first); a new one if unset. */
  supervisor?: Supervisor;
  /** Aborts the boot between and during its steps (Ctrl-C during start-up). */
  signal?: AbortSignal;
}

export interface RunningStack {
  edgeUrl: string;
  addresses: Record<ServiceName, string>;
  /** Env for tools talking to the stack: the JWKS, and the ops key (admin tokens) as JWT_PRIVATE_KEY. */
  env: Record<string, string>;
  /** Every issuer's dev key (`users` for customer tokens in load tools, `ops`, workloads). */
  keys: Record<string, DevKey>;
  stop(): Promise<void>;
  onUnexpectedExit(fn: (name: string, code: number | null) => void): void;
}

/** SIGKILL only after this: above every child's SHUTDOWN_DEADLINE_MS plus its telemetry flush. */
export const STOP_GRACE_MS = Math.max(
  12_000,
  Number(process.env.SHUTDOWN_DEADLINE_MS ?? 0) + 4_000,
);

const ENTRY: Record<ServiceName, string> = Object.fromEntries(
  SERVICES.map((s) => [s, `services/${s}/src/main.ts`]),
) as Record<ServiceName, string>;

/** Boots the platform as plain processes, in dependency order, waiting for health at each step. */
export async function startStack(o: StackOptions): Promise<RunningStack> {
  const check = () => {
    if (o.signal?.aborted) throw abortError(o.signal);
  };
  const devKeys = ensureDevKeys(o.dataDir);
  o.log('preparing databases (provision + migrations)');
  const dbUrls = await prepareDatabases({
    root: o.root,
    adminUrl: o.adminUrl,
    prefix: o.dbPrefix,
    password: (s) => process.env[`${s.toUpperCase()}_DB_PASSWORD`] ?? `${s}-dev-password`,
    log: o.log,
    signal: o.signal,
  });
  check();
  const addresses = Object.fromEntries(
    SERVICES.map((s) => [s, `127.0.0.1:${o.ports.services[s]}`]),
  ) as Record<ServiceName, string>;
  const shared: Record<string, string> = {
    LOG_LEVEL: o.logLevel,
    JWT_ISSUER: 'meshcart',
    JWT_AUDIENCE: 'meshcart',
    // The JWKS as a file, re-read every few seconds: rewriting it rotates keys without restarts.
    JWT_PUBLIC_KEYS_FILE: devKeys.jwksFile,
    TEMPORAL_ADDRESS: o.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    ...(o.taskQueue ? { TEMPORAL_TASK_QUEUE: o.taskQueue } : {}),
    PAYMENT_PROVIDER: 'simulated',
    ALLOW_SIMULATED_PAYMENTS: 'true',
    GRPC_HOST: '127.0.0.1',
    // Locally nobody waits for a load balancer: short, bounded stops (each process exits within
    // its deadline, well inside the supervisor's SIGKILL grace, STOP_GRACE_MS).
    SHUTDOWN_GRACE_MS: process.env.SHUTDOWN_GRACE_MS ?? '3000',
    SHUTDOWN_DEADLINE_MS: process.env.SHUTDOWN_DEADLINE_MS ?? '8000',
    ...Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase()}_ADDR`, addresses[s]])),
  };
  // Each process gets only its own key: users mints customer sessions, every service that calls
  // another its own service token, the seed (ops) admin tokens.
  const signers = new Set(['users', 'ops', ...signingWorkloads()]);
  const keyOf = (issuer: string): Record<string, string> =>
    signers.has(issuer) ? { JWT_PRIVATE_KEY_FILE: devKeys.keys[issuer]!.keyFile } : {};
  const names = [...SERVICES, 'worker', 'edge', 'seed'];
  const sup = o.supervisor ?? new Supervisor(names, o.out, o.prettyLogs ?? true);
  // Every Node process starts with the telemetry preload (before grpc-js is required).
  const tsx = (entry: string) => [
    '--require',
    'tsx/cjs',
    '--require',
    TELEMETRY_PRELOAD,
    path.join(o.root, entry),
  ];
  /** OTEL_SERVICE_NAME, METRICS_PORT, span files... for one process, then the caller's extra env. */
  const otel = (name: MetricsProcess | 'seed', serviceName: string = name) => ({
    ...telemetryEnv(serviceName, o.ports.metrics?.[name as MetricsProcess], o.telemetry),
    ...o.env,
  });
  const stop = async () => {
    await sup.stopAll(STOP_GRACE_MS);
    if (!o.supervisor) sup.release();
  };
  try {
    o.log('starting services');
    for (const s of SERVICES) {
      sup.start({
        name: s,
        command: process.execPath,
        args: tsx(ENTRY[s]),
        cwd: o.root,
        env: {
          ...shared,
          ...otel(s),
          ...keyOf(s),
          GRPC_PORT: String(o.ports.services[s]),
          DATABASE_URL: dbUrls[s],
          // Only payments holds the card-token vault key (and its provider's secrets).
          ...(s === 'payments'
            ? { PAYMENT_VAULT_KEY_FILE: devKeys.paymentVaultKeyFile, ...o.paymentsEnv }
            : {}),
          // No mesh here to vouch for the edge: users believes the x-client-ip of loopback peers
          // (the edge), so login throttling per client IP works locally as in the cluster.
          ...(s === 'users' ? { LOGIN_IP_TRUSTED_PEERS: '127.0.0.1,::1' } : {}),
        },
      });
    }
    o.log('waiting for services to report SERVING');
    await Promise.all(SERVICES.map((s) => waitHealthy(s, addresses[s], 90_000, o.signal)));
    check();
    sup.start({
      name: 'worker',
      command: process.execPath,
      args: tsx('saga/src/worker/main.ts'),
      cwd: o.root,
      env: {
        ...shared,
        ...otel('worker', 'saga-worker'),
        ...keyOf('saga-worker'),
        WORKER_HEALTH_PORT: String(o.ports.workerHealth),
      },
    });
    await waitHealthy('worker', `127.0.0.1:${o.ports.workerHealth}`, 90_000, o.signal);
    const edgeBin = await buildEdge(o.root, o.signal);
    sup.start({
      name: 'edge',
      command: edgeBin,
      args: [],
      cwd: o.root,
      env: {
        ...shared,
        ...otel('edge'),
        EDGE_HTTP_ADDR: `127.0.0.1:${o.ports.edge}`,
        EDGE_OPENAPI_PATH: path.join(o.root, 'gen/openapi/meshcart.swagger.json'),
        EDGE_CORS_ALLOWED_ORIGINS:
          process.env.EDGE_CORS_ALLOWED_ORIGINS ?? 'http://localhost:3000,http://127.0.0.1:3000',
      },
    });
    await waitHttp(`http://127.0.0.1:${o.ports.edge}/readyz`, 60_000, o.signal);
    if (o.seed)
      await runSeed(sup, o.root, { ...shared, ...otel('seed'), ...keyOf('ops') }, o.signal);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    edgeUrl: `http://127.0.0.1:${o.ports.edge}`,
    addresses,
    env: {
      ...Object.fromEntries(Object.entries(shared).filter(([k]) => k !== 'JWT_PUBLIC_KEYS_FILE')),
      ...o.env,
      JWT_PUBLIC_KEYS: devKeys.jwksJson,
      JWT_PRIVATE_KEY: devKeys.keys.ops!.privateKeyPem,
      JWT_KEY_ID: devKeys.keys.ops!.keyId,
    },
    keys: devKeys.keys,
    stop,
    onUnexpectedExit: (fn) => (sup.onUnexpectedExit = fn),
  };
}

async function waitHealthy(
  name: string,
  address: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await checkHealth(address, '', 500).catch(() => undefined)) === 'SERVING') return;
    await sleep(200, signal);
  }
  throw new Error(
    `${name} did not report SERVING on ${address} within ${timeoutMs / 1000}s (see its log lines above)`,
  );
}

async function waitHttp(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(250, signal);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s`);
}

/**
 * Builds the Go edge into .tools/bin (Go's build cache makes rebuilds fast). Asynchronous, so a
 * Ctrl-C during a cold build is handled at once: the build is stopped and the boot unwinds.
 */
async function buildEdge(root: string, signal?: AbortSignal): Promise<string> {
  const out = path.join(root, '.tools', 'bin', 'meshcart-edge');
  const go = spawn('go', ['build', '-o', out, '.'], {
    cwd: path.join(root, 'gateway'),
    stdio: ['ignore', 'inherit', 'inherit'],
    signal,
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    go.once('error', reject);
    go.once('exit', resolve);
  });
  if (signal?.aborted) throw abortError(signal);
  if (code !== 0) throw new Error(`go build of the edge failed (exit ${code})`);
  return out;
}

async function runSeed(
  sup: Supervisor,
  root: string,
  env: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  const child = sup.start({
    name: 'seed',
    command: process.execPath,
    args: [
      '--require',
      'tsx/cjs',
      '--require',
      TELEMETRY_PRELOAD,
      path.join(root, 'scripts/seed.ts'),
    ],
    cwd: root,
    env,
    oneShot: true,
  });
  // Ctrl-C while seeding: end the seed job now (its group), then unwind.
  const onAbort = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  signal?.removeEventListener('abort', onAbort);
  if (signal?.aborted) throw abortError(signal);
  if (code !== 0) throw new Error(`seeding failed (exit ${code})`);
}
