/**
 * Worker process of the no-op saga. Same Temporal server, same worker settings as the real
 * saga worker: the configuration is read with the real worker's loader
 * (saga/src/worker/config.ts, same environment, so SAGA_* durations and concurrency limits are
 * the real worker's) and passed to Worker.create with the options createSagaWorker
 * (saga/src/worker/saga-worker.ts) sets. Only the task queue (BENCH_NOOP_TASK_QUEUE),
 * the workflow (./workflows.ts) and the activities (./activities.ts) differ.
 *
 * Prints `noop-worker polling` when running and `CONFIRMED <orderId> <epochMs>` per order.
 * SIGTERM/SIGINT: shuts the worker down and exits.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadWorkerConfig } from '@meshcart/saga/config';
import { noopActivities } from './activities';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const taskQueue = process.env.BENCH_NOOP_TASK_QUEUE;
  if (!taskQueue) throw new Error('BENCH_NOOP_TASK_QUEUE is required');
  Runtime.install({
    shutdownSignals: [],
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const settings = {
    cancellationWindowMs: config.cancellationWindowMs,
    compensationBudgetMs: config.compensationBudgetMs,
    authValidityMs: config.authValidityMs,
  };
  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(out.splice(0).join(''));
  };
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities: noopActivities(settings, (orderId, at) => {
      out.push(`CONFIRMED ${orderId} ${at}\n`);
      if (out.length === 1) setImmediate(flush);
    }),
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    maxConcurrentLocalActivityExecutions: config.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTasks,
    shutdownGraceTime: config.shutdownGraceMs,
  });
  const stop = () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const running = worker.run();
  process.stdout.write(
    `noop-worker polling ${JSON.stringify({ taskQueue, ...settings, maxConcurrentActivities: config.maxConcurrentActivities, maxConcurrentWorkflowTasks: config.maxConcurrentWorkflowTasks })}\n`,
  );
  await running;
  flush();
  await connection.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`noop-worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
