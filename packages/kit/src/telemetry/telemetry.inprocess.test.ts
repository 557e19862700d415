/**
 * The SDK started in-process (API-level behaviour only: the grpc-js hook cannot work inside
 * jest, see telemetry.process.test.ts for that): log correlation, the Temporal worker helpers
 * (workflow span sink, activity interceptor, correlations) and the file exporters.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SpanKind, trace } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'mariadb';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { ActivityExecuteInput, WorkerOptions } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { createLogger } from '../logging/logger';
import { readSpanLines } from '../testkit/telemetry';
import { shutdownTelemetry, telemetryHandle } from './handle';
import { startTelemetry } from './sdk';
import { declareCorrelations, idField, type Correlation } from './correlation';
import { rpcRecorder } from './rpc-metrics';
import { traceMariadbPool } from './sql-tracing';
import { loadTelemetryConfig } from './telemetry-config';
import {
  WORKFLOW_TRACING_MODULE,
  withWorkerTelemetry,
  workflowSpanSinks,
  type ActivityEnd,
} from './temporal-worker';

/** A correlation of the tests' own (the kit knows none): carts, in `cart-<id>` workflows. */
const cart: Correlation = {
  spanAttribute: 'test.cart_id',
  logKey: 'cart_id',
  ofRequest: (m) => idField(m, 'cartId'),
  ofWorkflowId: (id) => /^cart-(.+)$/.exec(id)?.[1],
};

let dir: string;
const spanFile = () => path.join(dir, 'unit.spans.jsonl');
const metricFile = () => path.join(dir, 'unit.metrics.jsonl');
const lines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'unit',
  destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
});

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kit-otel-unit-'));
  startTelemetry(
    loadTelemetryConfig({
      OTEL_SERVICE_NAME: 'unit',
      OTEL_TRACES_EXPORTER: 'file',
      OTEL_METRICS_EXPORTER: 'file',
      MESHCART_OTEL_FILE: spanFile(),
      METRICS_PORT: '0',
    }),
  );
  declareCorrelations([cart]);
});

afterAll(async () => {
  await shutdownTelemetry();
  rmSync(dir, { recursive: true, force: true });
});

const tracer = () => trace.getTracer('unit');

test('log lines written inside a span carry its trace_id and span_id, others none', () => {
  const ids = tracer().startActiveSpan('work', (span) => {
    logger.info('inside');
    span.end();
    return span.spanContext();
  });
  logger.info('outside');
  expect(lines.find((l) => l.msg === 'inside')).toMatchObject({
    trace_id: ids.traceId,
    span_id: ids.spanId,
  });
  expect(lines.find((l) => l.msg === 'outside')).not.toHaveProperty('trace_id');
});

test('spans tagged with a workflow id get the attribute of each declared correlation it encodes', () => {
  const id = tracer().startActiveSpan('StartWorkflow:CartFlow', (span) => {
    span.setAttribute('temporalWorkflowId', 'cart-c-42');
    span.end();
    return span.spanContext().spanId;
  });
  const line = readSpanLines(spanFile()).find((s) => s.spanId === id);
  expect(line?.attributes).toMatchObject({ 'test.cart_id': 'c-42' });
});

test('workflow spans from the sandbox reach the SDK with parent, resource and workflow ids', () => {
  const traceId = 'a'.repeat(32);
  const serialized: SerializableSpan = {
    name: 'StartActivity:reserveStock',
    kind: SpanKind.INTERNAL,
    spanContext: { traceId, spanId: 'b'.repeat(16), traceFlags: 1, traceState: 'vendor=x' },
    parentSpanId: 'c'.repeat(16),
    startTime: [1_700_000_000, 0],
    endTime: [1_700_000_000, 5_000_000],
    status: { code: 0 },
    attributes: { step: 'reserve' },
    links: [],
    events: [],
    duration: [0, 5_000_000],
    ended: true,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    instrumentationLibrary: { name: '@temporalio/interceptor-workflow' },
  };
  const info = {
    workflowId: 'cart-c-7',
    runId: 'run-1',
    memo: { secret: 'x' },
  } as unknown as WorkflowInfo;
  void workflowSpanSinks().exporter.export.fn(info, [serialized]);
  const line = readSpanLines(spanFile()).find((s) => s.traceId === traceId);
  expect(line).toMatchObject({
    parentSpanId: 'c'.repeat(16),
    service: 'unit',
    scope: '@temporalio/interceptor-workflow',
    durationMs: 5,
    attributes: {
      step: 'reserve',
      temporalWorkflowId: 'cart-c-7',
      run_id: 'run-1',
      'test.cart_id': 'c-7',
    },
  });
  expect(JSON.stringify(line)).not.toContain('secret');
});

test('withWorkerTelemetry keeps the worker’s own interceptors and sinks', () => {
  const own = () => ({});
  const options = withWorkerTelemetry(
    {
      taskQueue: 'q',
      interceptors: { activity: [own], workflowModules: ['/x/mine.js'] },
      sinks: { mine: { hello: { fn: () => undefined } } },
    } as unknown as WorkerOptions,
    { logger },
  );
  expect(options.interceptors?.workflowModules).toEqual([WORKFLOW_TRACING_MODULE, '/x/mine.js']);
  expect(options.interceptors?.activity).toHaveLength(3);
  expect(options.interceptors?.activity?.[2]).toBe(own);
  expect(Object.keys(options.sinks ?? {}).sort()).toEqual(['exporter', 'mine']);
});

test('the activity interceptor tags the span, logs one line with trace ids and reports each attempt', async () => {
  const ends: ActivityEnd[] = [];
  const options = withWorkerTelemetry({ taskQueue: 'q' } as WorkerOptions, {
    logger,
    correlations: [cart],
    onActivityEnd: (e) => ends.push(e),
  });
  const ctx = {
    info: {
      activityType: 'chargeCart',
      attempt: 2,
      workflowType: 'CartFlow',
      workflowExecution: { workflowId: 'cart-c-9', runId: 'r' },
    },
  } as unknown as ActivityContext;
  const inbound = options.interceptors!.activity![1]!(ctx).inbound!;
  const input = { args: [], headers: {} } as unknown as ActivityExecuteInput;
  const spanId = await tracer().startActiveSpan('RunActivity:chargeCart', async (span) => {
    await inbound.execute!(input, async () => 'CHARGED');
    await expect(
      inbound.execute!(input, async () => {
        throw ApplicationFailure.nonRetryable('declined', 'PAYMENT_DECLINED');
      }),
    ).rejects.toThrow('declined');
    span.end();
    return span.spanContext().spanId;
  });
  expect(readSpanLines(spanFile()).find((s) => s.spanId === spanId)?.attributes).toMatchObject({
    'test.cart_id': 'c-9',
  });
  const done = lines.filter((l) => l.msg === 'activity done' && l.activity === 'chargeCart');
  expect(done.map((l) => l.outcome)).toEqual(['ok', 'business_failure']);
  expect(done[0]).toMatchObject({
    cart_id: 'c-9',
    attempt: 2,
    span_id: spanId,
    trace_id: expect.any(String),
  });
  expect(ends).toEqual([
    {
      activityType: 'chargeCart',
      workflowType: 'CartFlow',
      outcome: 'ok',
      durationMs: expect.any(Number),
    },
    {
      activityType: 'chargeCart',
      workflowType: 'CartFlow',
      outcome: 'business_failure',
      durationMs: expect.any(Number),
    },
  ]);
});

test('metrics reach the file exporter on flush, with their labels', async () => {
  const record = rpcRecorder('server', '/shop.test.v1.CartService/Charge');
  record(0, 12);
  record(5, 3);
  await telemetryHandle()!.flush();
  const exported = readFileSync(metricFile(), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const last = exported.at(-1) as {
    metrics: { name: string; points: { attributes: Record<string, unknown>; value: unknown }[] }[];
  };
  const calls = last.metrics.find((m) => m.name === 'rpc.server.requests');
  expect(calls?.points.map((p) => [p.attributes['rpc.grpc.status_code'], p.value])).toEqual(
    expect.arrayContaining([
      [0, 1],
      [5, 1],
    ]),
  );
  expect(calls?.points[0]?.attributes).toMatchObject({ 'rpc.method': 'Charge' });
});

test('raw mariadb pools: a span per statement and transaction step, placeholders only', async () => {
  class FakeConnection {
    #released = false;
    async query(sql: string, values?: unknown[]) {
      if (sql.startsWith('INSERT'))
        throw Object.assign(new Error(`Duplicate entry '${String(values?.[0])}'`), {
          code: 'ER_DUP_ENTRY',
        });
      return [{ sku: 'A', onHand: 3 }];
    }
    async beginTransaction() {}
    async commit() {}
    async release() {
      this.#released = true;
    }
    get released() {
      return this.#released;
    }
  }
  const conn = new FakeConnection();
  const fake = { query: conn.query.bind(conn), getConnection: async () => conn };
  const pool = traceMariadbPool(fake as unknown as Pool, {
    database: 'shop_inventory',
    host: '127.0.0.1',
    port: 3307,
  });
  const traceId = await tracer().startActiveSpan('ReserveStock', async (span) => {
    await pool.query('SELECT on_hand AS onHand FROM stock WHERE sku = ?', ['SECRET-SKU-VALUE']);
    const c = await pool.getConnection();
    await c.beginTransaction();
    await c.query('UPDATE `stock` SET reserved = reserved + ? WHERE sku = ?', [
      1,
      'SECRET-SKU-VALUE',
    ]);
    await expect(
      c.query('INSERT INTO reservations (id) VALUES (?)', ['SECRET-ID']),
    ).rejects.toThrow('Duplicate');
    await c.commit();
    await c.release();
    span.end();
    return span.spanContext().traceId;
  });
  expect(conn.released).toBe(true);
  const spans = readSpanLines(spanFile()).filter(
    (s) => s.traceId === traceId && s.scope === '@meshcart/kit/sql',
  );
  expect(spans.map((s) => s.name)).toEqual([
    'SELECT stock',
    'BEGIN',
    'UPDATE stock',
    'INSERT reservations',
    'COMMIT',
  ]);
  expect(spans[0]).toMatchObject({
    kind: 'CLIENT',
    attributes: {
      'db.system.name': 'mariadb',
      'db.namespace': 'shop_inventory',
      'db.operation.name': 'SELECT',
      'db.collection.name': 'stock',
      'db.query.text': 'SELECT on_hand AS onHand FROM stock WHERE sku = ?',
      'server.port': 3307,
    },
  });
  expect(spans[3]).toMatchObject({
    status: { code: 'ERROR', message: 'ER_DUP_ENTRY' },
    attributes: { 'error.type': 'ER_DUP_ENTRY' },
  });
  expect(JSON.stringify(spans)).not.toMatch(/SECRET/);
});
