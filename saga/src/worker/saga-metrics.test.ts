/**
 * The saga's own telemetry on top of the kit's: the order id as the worker's correlation (span
 * attribute and log key), every activity recorded as a saga step, and the outcome counters the
 * workflow feeds through sinks. Metrics are read from an in-memory SDK reader.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { node } from '@opentelemetry/sdk-node';
import { ApplicationFailure } from '@temporalio/common';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityExecuteInput, WorkerOptions } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { createLogger } from '@meshcart/kit';
import { sagaMetricsSinks } from './saga-metrics';
import { withSagaTelemetry } from './telemetry';

const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
const spans = new InMemorySpanExporter();
// The Node provider: its register() installs the async context manager the active span needs.
const tracerProvider = new node.NodeTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(spans)],
});
const lines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'unit',
  destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
});

beforeAll(() => {
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  tracerProvider.register();
});

afterAll(async () => {
  await reader.shutdown();
  await tracerProvider.shutdown();
  metrics.disable();
  trace.disable();
  context.disable();
});

async function exported(name: string) {
  await reader.forceFlush();
  const all =
    exporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((s) => s.metrics) ?? [];
  return all.find((m) => m.descriptor.name === name)?.dataPoints ?? [];
}

test('withSagaTelemetry adds the saga metrics sinks beside the tracing sink and keeps the worker’s own', () => {
  const options = withSagaTelemetry({
    taskQueue: 'q',
    sinks: { mine: { hello: { fn: () => undefined } } },
  } as unknown as WorkerOptions);
  expect(Object.keys(options.sinks ?? {}).sort()).toEqual(['exporter', 'mine', 'sagaMetrics']);
});

test('an activity of an order saga is tagged with the order id, logged and recorded as a step', async () => {
  const options = withSagaTelemetry({ taskQueue: 'q' } as WorkerOptions, logger);
  const ctx = {
    info: {
      activityType: 'authorizePayment',
      attempt: 1,
      workflowType: 'OrderSaga',
      workflowExecution: { workflowId: 'order-o-9', runId: 'r' },
    },
  } as unknown as ActivityContext;
  const inbound = options.interceptors!.activity![1]!(ctx).inbound!;
  const input = { args: [], headers: {} } as unknown as ActivityExecuteInput;
  await trace.getTracer('unit').startActiveSpan('RunActivity:authorizePayment', async (span) => {
    await inbound.execute!(input, async () => 'AUTHORIZED');
    await expect(
      inbound.execute!(input, async () => {
        throw ApplicationFailure.nonRetryable('declined', 'PAYMENT_DECLINED');
      }),
    ).rejects.toThrow('declined');
    span.end();
  });
  expect(spans.getFinishedSpans().at(-1)?.attributes).toMatchObject({
    'meshcart.order_id': 'o-9',
  });
  const done = lines.filter((l) => l.msg === 'activity done');
  expect(done.map((l) => [l.order_id, l.outcome])).toEqual([
    ['o-9', 'ok'],
    ['o-9', 'business_failure'],
  ]);
  const steps = await exported('meshcart.saga.step.duration');
  expect(steps.map((p) => p.attributes.outcome).sort()).toEqual(['business_failure', 'ok']);
  expect(steps[0]?.attributes).toMatchObject({
    'temporal.activity.type': 'authorizePayment',
    'temporal.workflow.type': 'OrderSaga',
  });
});

test('the workflow’s sinks count outcomes with bounded labels', async () => {
  const sinks = sagaMetricsSinks().sagaMetrics;
  const wf = { workflowType: 'OrderSaga' } as WorkflowInfo;
  void sinks.started.fn(wf);
  void sinks.cancelled.fn(wf, 'PAYMENT_DECLINED');
  void sinks.cancelled.fn(wf, 'not a reason, with spaces and far too long '.repeat(3));
  void sinks.compensation.fn(wf, 'releaseReservation', true);
  expect((await exported('meshcart.saga.started'))[0]?.value).toBe(1);
  expect(
    (await exported('meshcart.saga.cancelled')).map((p) => [p.attributes.reason, p.value]),
  ).toEqual([
    ['PAYMENT_DECLINED', 1],
    ['OTHER', 1],
  ]);
  expect((await exported('meshcart.saga.compensations'))[0]?.attributes).toMatchObject({
    compensation: 'releaseReservation',
    outcome: 'ok',
    'temporal.workflow.type': 'OrderSaga',
  });
});
