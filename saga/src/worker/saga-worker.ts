import {
  createClient,
  createTokenSigner,
  openPublicKeys,
  openSigner,
  serviceToken,
  type KeyLog,
} from '@meshcart/kit';
import { ReservationServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import { OrderSagaServiceService } from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentServiceService } from '@meshcart/proto/shop/payments/v1/payments';
import { ShippingServiceService } from '@meshcart/proto/shop/shipping/v1/shipping';
import { WORKFLOW_TRACING_MODULE } from '@meshcart/kit/telemetry/temporal';
import {
  Worker,
  bundleWorkflowCode,
  type BundleOptions,
  type NativeConnection,
  type WorkerOptions,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, createLocalActivities, type ActivityDeps } from '../activities';
import { createReconcileActivities } from '../activities/reconcile.activities';
import type { WorkerConfig } from './config';
import type { OrderSagaOptions } from '../contract';
import { withSagaTelemetry } from './telemetry';
import { workflowIsolateTimeout, type IsolateTimeoutOption } from './workflow-isolate-timeout';

/** The mesh identity the worker calls services as (call-graph.yaml, ServiceAccount name). */
export const SAGA_WORKER_IDENTITY = 'saga-worker';

/**
 * Typed clients for the four services the saga calls, authenticated as saga-worker. With a JWKS
 * in the config (the worker's own: JWT_PUBLIC_KEYS or _FILE) the key is checked against it and
 * its binding (ConfigError when it may not sign service:saga-worker) and reloaded from
 * JWT_PRIVATE_KEY_FILE; without one (tests handing a key directly) it signs with the key as given.
 */
export async function createSagaClients(
  config: Pick<
    WorkerConfig,
    | 'inventoryAddr'
    | 'paymentsAddr'
    | 'shippingAddr'
    | 'ordersAddr'
    | 'jwtIssuer'
    | 'jwtAudience'
    | 'jwtPrivateKey'
    | 'jwtKeyId'
    | 'rpcTimeoutMs'
  > &
    Partial<
      Pick<
        WorkerConfig,
        'jwtPrivateKeyFile' | 'jwtPublicKeys' | 'jwtPublicKeysFile' | 'jwtKeysPollMs'
      >
    >,
  log?: KeyLog,
): Promise<ActivityDeps & { close(): void }> {
  const settings = { issuer: config.jwtIssuer, audience: config.jwtAudience };
  const jwks = openPublicKeys(
    { ...config, jwtPublicKeysFile: config.jwtPublicKeysFile ?? '' },
    log,
  );
  const signer = jwks
    ? openSigner({
        settings,
        config: { ...config, jwtPrivateKeyFile: config.jwtPrivateKeyFile ?? '' },
        jwks,
        purpose: { roles: ['service'], subject: `service:${SAGA_WORKER_IDENTITY}` },
        log,
      })
    : await createTokenSigner({
        ...settings,
        privateKeyPem: config.jwtPrivateKey,
        keyId: config.jwtKeyId,
      });
  const opts = {
    caller: SAGA_WORKER_IDENTITY,
    token: serviceToken(signer, SAGA_WORKER_IDENTITY),
    defaultTimeoutMs: config.rpcTimeoutMs,
  };
  const deps = {
    reservations: createClient(ReservationServiceService, config.inventoryAddr, opts),
    payments: createClient(PaymentServiceService, config.paymentsAddr, opts),
    shipping: createClient(ShippingServiceService, config.shippingAddr, opts),
    orderSaga: createClient(OrderSagaServiceService, config.ordersAddr, opts),
  };
  return { ...deps, close: () => Object.values(deps).forEach((c) => c.close()) };
}

/** Where the workflow code comes from: a prebundled file, a bundle in memory, or the sources. */
export type WorkflowSource = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;

export function workflowSource(bundlePath: string): WorkflowSource {
  return bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: require.resolve('../workflow') };
}

/**
 * The workflow bundle as production runs it: the saga workflows plus the tracing workflow
 * interceptors (a prebuilt bundle must contain them; see kit telemetry). Used by bundle.ts,
 * the tests and the replay test alike.
 */
export function bundleSagaWorkflows(logger?: BundleOptions['logger']): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflow'),
    workflowInterceptorModules: [WORKFLOW_TRACING_MODULE],
    logger,
  });
}

/**
 * The versioning behaviour of each workflow type the worker runs, chosen per type:
 * - OrderSaga: PINNED. A saga lives for days (the cancellation window); pinned, it finishes on
 *   the build that started it, so a new saga version never replays an old saga's history.
 * - RetryCompensation, ReconcileOrphanOrders: PINNED too. Each runs one activity for seconds,
 *   so pinning costs nothing, and AUTO_UPGRADE would buy nothing.
 * All the same, so it is given as the worker's default: the per-type declaration
 * (setWorkflowOptions in workflow code) makes an unversioned worker's task completions fail
 * ("versioning behavior cannot be specified without deployment options", server 1.29.1), and
 * local runs and tests are unversioned. A type that needs AUTO_UPGRADE one day needs that.
 */
export const VERSIONING_BEHAVIOR = 'PINNED' as const;

/**
 * Worker options of a versioned worker (Worker Deployments): its deployment and build id, and
 * VERSIONING_BEHAVIOR. None for an unversioned worker.
 */
export function versioningOptions(
  deployment: { deploymentName: string; buildId: string } | undefined,
): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (!deployment) return {};
  return {
    workerDeploymentOptions: {
      version: deployment,
      useWorkerVersioning: true,
      defaultVersioningBehavior: VERSIONING_BEHAVIOR,
    },
  };
}

/** A saga worker (not yet running) polling `taskQueue` with the given activities. */
export async function createSagaWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  settings: Partial<OrderSagaOptions>;
  source: WorkflowSource;
  maxConcurrentActivities?: number;
  maxConcurrentWorkflowTasks?: number;
  shutdownGraceMs?: number;
  /** How long one activation may run; default per runtime (workflow-isolate-timeout.ts). */
  isolateExecutionTimeoutMs?: number;
  /** Gets one `activity done` line per activity (trace-correlated); omit in tests. */
  logger?: Logger;
  /** Payload encryption (payloadDataConverter); the same keys as orders' client. */
  dataConverter?: WorkerOptions['dataConverter'];
  /**
   * Worker Deployment version (TEMPORAL_WORKER_DEPLOYMENT + TEMPORAL_WORKER_BUILD_ID): with it
   * the worker is versioned and each workflow type's behaviour applies (OrderSaga PINNED);
   * without it, unversioned (local runs, tests).
   */
  deployment?: { deploymentName: string; buildId: string };
}): Promise<Worker> {
  // Not the SDK default on every runtime: on Node < 24 its watchdog firing after a pause of the
  // process is a fatal "async hook stack has become corrupted" (issue 22, see the module).
  const isolate = workflowIsolateTimeout(opts.isolateExecutionTimeoutMs);
  if (!isolate.asyncContextFrame) {
    opts.logger?.warn(
      { node: process.version, isolateExecutionTimeoutMs: isolate.ms },
      'AsyncLocalStorage uses async hooks on this runtime: workflow deadlock detection relaxed',
    );
  }
  const options: WorkerOptions & IsolateTimeoutOption = {
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...opts.source,
    activities: {
      ...createActivities(opts.deps),
      ...createLocalActivities(opts.settings),
      ...createReconcileActivities(opts.deps), // the orphan-order reconciler's pass
    },
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? 50,
    maxConcurrentLocalActivityExecutions: opts.maxConcurrentActivities ?? 50,
    maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTasks ?? 20,
    // In-flight activities (one short RPC each) get this long to finish on SIGTERM; anything
    // cut off is retried by another worker with the same idempotency key.
    shutdownGraceTime: opts.shutdownGraceMs ?? 20_000,
    isolateExecutionTimeout: isolate.ms,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...versioningOptions(opts.deployment),
  };
  // Tracing (RunWorkflow/RunActivity spans joined to orders' trace), saga metrics and
  // per-activity log lines (telemetry.ts; exports nothing when no OTel SDK was started).
  const worker = await Worker.create(withSagaTelemetry(options, opts.logger));
  // The option is outside the SDK's public type: should an upgrade stop honouring it, refuse to
  // run rather than bring the fatal crash back unnoticed.
  if (worker.options.isolateExecutionTimeoutMs !== isolate.ms) {
    throw new Error(
      `the Temporal SDK ignored isolateExecutionTimeout (${worker.options.isolateExecutionTimeoutMs} ms, wanted ${isolate.ms} ms)`,
    );
  }
  return worker;
}
