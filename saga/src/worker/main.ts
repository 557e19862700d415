/**
 * The saga worker process: config -> logger -> Temporal runtime -> health server -> connect
 * (with retry) -> worker. SIGTERM/SIGINT (or the supervisor's lifeline closing): NOT_SERVING,
 * worker.shutdown() (in-flight activities finish within SHUTDOWN_GRACE_MS), close everything,
 * exit 0; all within SHUTDOWN_DEADLINE_MS, after which the kit gives up on a Temporal server
 * that does not answer and exits 1.
 */
import {
  createGrpcServer,
  createLogger,
  onShutdownSignal,
  runMain,
  temporalConnectionOptions,
} from '@meshcart/kit';
import { Runtime, type NativeConnection, type Worker } from '@temporalio/worker';
import { deploymentOf, healthPortOf, loadWorkerConfig } from './config';
import { connectWithRetry } from './connect';
import { createSagaClients, createSagaWorker, workflowSource } from './saga-worker';
import { pinoTemporalLogger } from './temporal-logger';
import { payloadDataConverter } from './payload-codec';
import { startCodecServer } from './codec-endpoint';
import { scheduleReconcilerAtBoot } from './reconcile-schedule';
import { searchAttributesAtBoot } from '../ops/search-attributes';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  // TLS/mTLS and the API key (TEMPORAL_TLS_*, TEMPORAL_API_KEY); bad combinations exit 2 here.
  const temporal = temporalConnectionOptions(config.temporalAddress, config);
  const logger = createLogger({ service: 'saga-worker', level: config.logLevel });
  // Our own signal handling (below) drains in order; the SDK's would race it.
  Runtime.install({
    logger: pinoTemporalLogger(logger),
    shutdownSignals: [],
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });

  // Probes see NOT_SERVING until the worker polls, and again from the moment shutdown starts.
  const health = createGrpcServer({ services: [], logger, reflection: false });
  health.health.setStatus('', 'NOT_SERVING');
  await health.listen(config.healthHost, healthPortOf(config));

  const clients = await createSagaClients(config, logger);
  const dataConverter = payloadDataConverter(config);
  const codecServer = await startCodecServer(config, dataConverter, logger);
  const aborted = new AbortController();
  const live: { connection?: NativeConnection; worker?: Worker; running?: Promise<void> } = {};

  onShutdownSignal(
    logger,
    [
      {
        name: 'temporal worker',
        budgetMs: config.shutdownGraceMs,
        run: async () => {
          health.health.setStatus('', 'NOT_SERVING');
          aborted.abort();
          if (live.worker?.getState() === 'RUNNING') live.worker.shutdown();
          await live.running?.catch(() => undefined);
        },
      },
      { name: 'temporal connection', run: () => live.connection?.close() },
      { name: 'service clients', run: () => clients.close() },
      { name: 'codec server', run: () => codecServer?.close() },
      {
        name: 'health server',
        budgetMs: 2_000,
        run: async () => {
          await health.shutdown({ graceMs: 2_000 });
          logger.info('saga worker stopped');
        },
      },
    ],
    { deadlineMs: config.shutdownDeadlineMs },
  );

  const connection = await connectWithRetry({
    connection: temporal,
    logger,
    signal: aborted.signal,
  });
  if (!connection) return; // shutdown requested while waiting for Temporal
  live.connection = connection;
  // Before polling: a saga upserting an unregistered attribute would stall, not fail.
  await searchAttributesAtBoot(connection, config.temporalNamespace, config.searchAttributes);
  const worker = await createSagaWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    deps: clients,
    settings: {
      cancellationWindowMs: config.cancellationWindowMs,
      compensationBudgetMs: config.compensationBudgetMs,
      authValidityMs: config.authValidityMs,
    },
    source: workflowSource(config.workflowBundlePath),
    dataConverter,
    maxConcurrentActivities: config.maxConcurrentActivities,
    maxConcurrentWorkflowTasks: config.maxConcurrentWorkflowTasks,
    shutdownGraceMs: config.shutdownGraceMs,
    deployment: deploymentOf(config),
    logger,
  });
  live.worker = worker;
  if (aborted.signal.aborted) return;
  void scheduleReconcilerAtBoot(config, dataConverter, logger, aborted.signal);
  const running = worker.run();
  live.running = running;
  health.health.setStatus('', 'SERVING');
  logger.info(
    {
      taskQueue: config.taskQueue,
      namespace: config.temporalNamespace,
      deployment: deploymentOf(config),
    },
    'saga worker polling',
  );
  running.catch((err: unknown) => {
    // Not a shutdown we asked for: exit so the orchestrator restarts us (after its backoff).
    logger.fatal({ err }, 'saga worker failed');
    process.exit(1);
  });
}

runMain(main);
