/** A real Temporal dev server, one prebundled workflow, one worker per test on its own task queue. */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { connectTestTemporal, temporalAddress } from '@meshcart/kit/testkit';
import {
  orderWorkflowId,
  type OrderSagaInput,
  type OrderSagaOptions,
  type SagaState,
} from '../../src/contract';
import { bundleSagaWorkflows } from '../../src/worker/saga-worker';
import { ensureSagaSearchAttributes } from '../../src/ops/search-attributes';
import { withSagaTelemetry } from '../../src/worker/telemetry';
import type { OrderSaga } from '../../src/workflow';

export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

export interface SagaEnv {
  client: Client;
  connection: NativeConnection;
  bundle: WorkflowBundle;
  close(): Promise<void>;
}

export async function createSagaEnv(): Promise<SagaEnv> {
  quietRuntime();
  const temporal = await connectTestTemporal();
  // Every saga upserts them: a server started without them (an older temporal.sh) gets them here.
  await ensureSagaSearchAttributes(temporal.connection, 'default');
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const bundle = await bundleSagaWorkflows(quietBundlerLogger);
  return {
    client: temporal.client,
    connection,
    bundle,
    close: async () => {
      await connection.close();
      await temporal.close();
    },
  };
}

/** SDK logs at ERROR only (activity failures are expected here) (one Runtime per process: later calls are no-ops). */
export function quietRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger((process.env.TEMPORAL_TEST_LOG_LEVEL as 'ERROR') ?? 'ERROR'),
    });
  } catch {
    // already installed by an earlier suite in this process
  }
}

const noop = () => undefined;
export const quietBundlerLogger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
};

export function sagaInput(overrides: Partial<OrderSagaInput> = {}): OrderSagaInput {
  return {
    orderId: `t${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    userId: 'user-1',
    items: [{ sku: 'SKU-1', quantity: 2 }],
    total: { currencyCode: 'EUR', amountMinor: '2599' },
    shippingAddress: {
      recipient: 'Ada',
      lines: ['1 Main St'],
      city: 'Berlin',
      postalCode: '10115',
      countryCode: 'DE',
    },
    paymentMethodId: 'pm_00000000-0000-4000-8000-00000000000a',
    ...overrides,
  };
}

/**
 * Runs one saga on a fresh worker (unique task queue) with the given activities; `during`
 * drives it (updates, queries) while it runs. Returns the result, or the error it failed with.
 */
export async function runSaga(
  env: SagaEnv,
  opts: {
    activities: object;
    input?: OrderSagaInput;
    options?: Partial<OrderSagaOptions>;
    during?: (handle: WorkflowHandle<typeof OrderSaga>) => Promise<void>;
    /** File name (no extension) under test/histories when RECORD_HISTORIES=1. */
    record?: string;
  },
): Promise<{ result: SagaState; handle: WorkflowHandle<typeof OrderSaga> }> {
  const taskQueue = `saga-test-${randomUUID()}`;
  // Same interceptors and sinks as the real worker (tracing, saga metrics), mocked activities.
  const worker = await Worker.create(
    withSagaTelemetry({
      connection: env.connection,
      taskQueue,
      workflowBundle: env.bundle,
      activities: opts.activities,
    }),
  );
  const input = opts.input ?? sagaInput();
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof OrderSaga>('OrderSaga', {
      taskQueue,
      workflowId: orderWorkflowId(input.orderId),
      args: [input, opts.options ?? {}],
    });
    await opts.during?.(handle);
    const result = await handle.result();
    if (opts.record && process.env.RECORD_HISTORIES === '1')
      await recordHistory(opts.record, handle);
    return { result, handle };
  });
}

/** Writes a workflow's history as JSON for the replay test (RECORD_HISTORIES=1). */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  writeFileSync(file, historyToJSON(await handle.fetchHistory()));
  // Formatted as the repository's format check wants it (prettier's API needs ESM inside jest).
  execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', file]);
}

/** Tiny durations so tests never wait for hours. */
export const FAST: OrderSagaOptions = {
  cancellationWindowMs: 300,
  // Generous: scheduleToClose includes queueing, and a busy CI machine queues for seconds.
  compensationBudgetMs: 30_000,
  authValidityMs: 60_000,
};
