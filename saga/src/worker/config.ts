/** Saga worker configuration: defaults + environment, validated once at startup (kit loadConfig). */
import {
  ConfigError,
  loadConfig,
  loadTopology,
  localAddress,
  localPort,
  parse,
  publicKeysSpec,
  signingKeySpec,
  temporalConnectionConfigSpec,
  v,
  type ConfigOf,
} from '@meshcart/kit';
import { ORDER_SAGA_TASK_QUEUE } from '../contract';
import { DEFAULT_SAGA_OPTIONS } from '../contract/defaults';

const positiveDuration = () => (raw: string) => {
  const ms = parse.duration()(raw);
  if (ms <= 0) throw new Error('must be a positive duration');
  return ms;
};
const optionalPort = { default: undefined as number | undefined };

export const workerConfigSpec = {
  temporalAddress: v('TEMPORAL_ADDRESS', parse.address(), {
    default: `127.0.0.1:${loadTopology().servers.temporal!.port}`,
  }),
  /** TEMPORAL_TLS_MODE/_CA/_CERT/_KEY/_SERVER_NAME, TEMPORAL_API_KEY (kit temporal/connection-options.ts). */
  ...temporalConnectionConfigSpec(),
  temporalNamespace: v('TEMPORAL_NAMESPACE', parse.string({ min: 1 }), { default: 'default' }),
  taskQueue: v('TEMPORAL_TASK_QUEUE', parse.string({ min: 1 }), { default: ORDER_SAGA_TASK_QUEUE }),
  inventoryAddr: v('INVENTORY_ADDR', parse.address(), { default: localAddress('inventory') }),
  paymentsAddr: v('PAYMENTS_ADDR', parse.address(), { default: localAddress('payments') }),
  shippingAddr: v('SHIPPING_ADDR', parse.address(), { default: localAddress('shipping') }),
  ordersAddr: v('ORDERS_ADDR', parse.address(), { default: localAddress('orders') }),
  jwtIssuer: v('JWT_ISSUER', parse.string({ min: 1 })),
  jwtAudience: v('JWT_AUDIENCE', parse.string({ min: 1 })),
  /** The worker's own key (bound to service:saga-worker), checked against the JWKS at start. */
  ...signingKeySpec(),
  ...publicKeysSpec(),
  cancellationWindowMs: v('SAGA_CANCELLATION_WINDOW', positiveDuration(), {
    default: DEFAULT_SAGA_OPTIONS.cancellationWindowMs,
  }),
  compensationBudgetMs: v('SAGA_COMPENSATION_BUDGET', positiveDuration(), {
    default: DEFAULT_SAGA_OPTIONS.compensationBudgetMs,
  }),
  authValidityMs: v('SAGA_AUTH_VALIDITY', positiveDuration(), {
    default: DEFAULT_SAGA_OPTIONS.authValidityMs,
  }),
  maxConcurrentActivities: v('SAGA_MAX_CONCURRENT_ACTIVITIES', parse.int({ min: 1, max: 10_000 }), {
    default: 50,
  }),
  maxConcurrentWorkflowTasks: v(
    'SAGA_MAX_CONCURRENT_WORKFLOW_TASKS',
    parse.int({ min: 2, max: 10_000 }),
    { default: 20 },
  ),
  /**
   * How often the orphan-order reconciler runs (a Temporal Schedule the worker creates at boot,
   * reconcile-schedule.ts); orders' ORPHAN_GRACE / ORPHAN_MAX_AGE / ORPHAN_BATCH_SIZE bound
   * each pass. 5 s - 1 h; `off` leaves the schedule alone (neither created nor updated: for a
   * worker deployment that must not own it, e.g. a second one on the same queue).
   */
  orphanReconcileIntervalMs: v(
    'ORPHAN_RECONCILE_INTERVAL',
    (raw): number | undefined => {
      if (raw.trim() === 'off') return undefined;
      const ms = parse.duration()(raw);
      if (ms < 5_000 || ms > 3_600_000) throw new Error('must be between 5s and 1h, or off');
      return ms;
    },
    { default: 30_000 as number | undefined },
  ),
  /** The schedule's id; empty = `orphan-orders-<TEMPORAL_TASK_QUEUE>` (one per queue). */
  orphanReconcileScheduleId: v('ORPHAN_RECONCILE_SCHEDULE_ID', parse.string({ max: 200 }), {
    default: '',
  }),
  /**
   * The saga's search attributes at boot (ops/search-attributes.ts): `check` (default) refuses
   * to start without them, `create` registers them (needs operator rights on the namespace),
   * `off` skips the check.
   */
  searchAttributes: v('SAGA_SEARCH_ATTRIBUTES', parse.oneOf(['check', 'create', 'off'] as const), {
    default: 'check' as 'check' | 'create' | 'off',
  }),
  /**
   * Worker versioning: the Worker Deployment this worker belongs to and its build id (the image
   * tag in the chart). Both or neither: with them the worker is versioned (sagas pinned to the
   * version that started them; README "Operating the saga" for rollout and rollback).
   */
  workerDeployment: v('TEMPORAL_WORKER_DEPLOYMENT', parse.string({ max: 200 }), { default: '' }),
  workerBuildId: v(
    'TEMPORAL_WORKER_BUILD_ID',
    parse.string({ max: 200, pattern: /^$|^[A-Za-z0-9][A-Za-z0-9._-]*$/ }),
    { default: '' },
  ),
  /** gRPC deadline of each service call inside an activity (below the 10 s startToClose). */
  rpcTimeoutMs: v('SAGA_RPC_TIMEOUT', positiveDuration(), { default: 4_000 }),
  healthHost: v('GRPC_HOST', parse.string({ min: 1 }), { default: '0.0.0.0' }),
  /** Health port: WORKER_HEALTH_PORT, else GRPC_PORT (what the Helm chart sets), else the topology's. */
  healthPort: v('WORKER_HEALTH_PORT', parse.port(), optionalPort),
  grpcPort: v('GRPC_PORT', parse.port(), optionalPort),
  /**
   * Codec server for the Temporal Web UI (codec-server.ts): decodes the encrypted payloads for
   * operators (admin tokens). Off when unset; needs TEMPORAL_PAYLOAD_KEYS.
   */
  codecServerPort: v('CODEC_SERVER_PORT', parse.port(), optionalPort),
  /** Origins allowed to call it from a browser (the Web UI's), comma-separated. */
  codecAllowedOrigins: v('CODEC_ALLOWED_ORIGINS', parse.string(), {
    default: 'http://127.0.0.1:8233,http://localhost:8233',
  }),
  /** Prebundled workflow code (image build); empty = bundle src/workflow at startup. */
  workflowBundlePath: v('WORKFLOW_BUNDLE_PATH', parse.string(), { default: '' }),
  shutdownGraceMs: v('SHUTDOWN_GRACE_MS', parse.int({ min: 0 }), { default: 20_000 }),
  /**
   * Overall bound from SIGTERM to exit, even when Temporal does not answer: the activities'
   * grace above plus closing the connection must fit inside. Below the chart's
   * terminationGracePeriodSeconds (derived from it).
   */
  shutdownDeadlineMs: v('SHUTDOWN_DEADLINE_MS', positiveDuration(), { default: 30_000 }),
  logLevel: v(
    'LOG_LEVEL',
    parse.oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const),
    { default: 'info' },
  ),
};

export type WorkerConfig = ConfigOf<typeof workerConfigSpec>;

export function loadWorkerConfig(
  env: Record<string, string | undefined> = process.env,
): WorkerConfig {
  const config = loadConfig(workerConfigSpec, env);
  if (Boolean(config.workerDeployment) !== Boolean(config.workerBuildId))
    throw new ConfigError([
      'TEMPORAL_WORKER_DEPLOYMENT and TEMPORAL_WORKER_BUILD_ID go together (both set: versioned worker; neither: unversioned)',
    ]);
  return config;
}

/** The worker's deployment version, when it is versioned. */
export const deploymentOf = (c: WorkerConfig) =>
  c.workerDeployment ? { deploymentName: c.workerDeployment, buildId: c.workerBuildId } : undefined;

/** The port the health server binds. */
export const healthPortOf = (c: WorkerConfig): number =>
  c.healthPort ?? c.grpcPort ?? localPort('saga-worker');
