/**
 * The worker process of the focused reproducer: a Temporal worker polling REPRO_TASK_QUEUE with
 * busy.workflows.ts, configured like the saga worker or not, from the environment:
 *   REPRO_TRACING=1               the kit's worker telemetry (OTel workflow interceptors in the
 *                                 sandbox, activity interceptors, sinks), as saga-worker.ts does
 *   REPRO_ISOLATE_TIMEOUT=sdk|fix|<ms>
 *                                 sdk: the SDK default (5 s); fix: what the saga worker uses
 *                                 (workflow-isolate-timeout.ts); <ms>: that value
 */
import { withWorkerTelemetry } from '@meshcart/kit/telemetry/temporal';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { workflowIsolateTimeout, type IsolateTimeoutOption } from '@meshcart/saga/isolate-timeout';

async function main(): Promise<void> {
  Runtime.install({ shutdownSignals: ['SIGTERM', 'SIGINT'] });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const setting = process.env.REPRO_ISOLATE_TIMEOUT ?? 'sdk';
  const isolate: IsolateTimeoutOption =
    setting === 'sdk'
      ? {}
      : setting === 'fix'
        ? { isolateExecutionTimeout: workflowIsolateTimeout().ms }
        : { isolateExecutionTimeout: Number(setting) };
  const base: WorkerOptions & IsolateTimeoutOption = {
    connection,
    taskQueue: process.env.REPRO_TASK_QUEUE!,
    workflowsPath: require.resolve('./busy.workflows'),
    maxConcurrentWorkflowTaskExecutions: 20,
    ...isolate,
  };
  const options = process.env.REPRO_TRACING === '1' ? withWorkerTelemetry(base) : base;
  const worker = await Worker.create(options);
  process.stdout.write(
    `repro worker ready: node ${process.version}, tracing ${process.env.REPRO_TRACING === '1'}, ` +
      `isolateExecutionTimeout ${worker.options.isolateExecutionTimeoutMs} ms\n`,
  );
  await worker.run();
}

main().catch((e: unknown) => {
  process.stderr.write(`repro worker failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
