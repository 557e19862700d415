/**
 * Telemetry across real processes (inside jest the grpc-js hook sees nothing): a kit server
 * started with the preload, as `npm start` starts services, traced to a file and scraped over
 * Prometheus; this test is the caller, sending its own traceparent.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { CatalogServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import { OrderServiceService } from '@meshcart/proto/shop/orders/v1/orders';
import { createClient } from '../index';
import {
  eventually,
  freePort,
  parsePrometheus,
  promSamples,
  readSpanLines,
  spawnTs,
  type SpanLine,
  type SpawnedProcess,
} from '../../testkit';

jest.setTimeout(90_000);

const ENTRY = 'packages/kit/src/telemetry/__fixtures__/traced-server.ts';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

let dir: string;
let proc: SpawnedProcess;
let metricsUrl: string;
const spanFile = () => path.join(dir, 'fixture.spans.jsonl');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kit-otel-'));
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  proc = await spawnTs({
    name: 'traced-fixture',
    entry: ENTRY,
    port: await freePort(),
    env: {
      OTEL_SERVICE_NAME: 'traced-fixture',
      OTEL_TRACES_EXPORTER: 'file',
      MESHCART_OTEL_FILE: spanFile(),
      OTEL_METRICS_EXPORTER: 'prometheus',
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: '127.0.0.1',
    },
  });
});

afterAll(async () => {
  await proc?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const logLines = (p: SpawnedProcess) =>
  p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const spansOf = async (traceId: string, count: number) =>
  eventually(
    () => readSpanLines(spanFile()).filter((s) => s.traceId === traceId),
    (spans) => spans.length >= count,
  );

test('server, client and nested server spans form one trace under the caller’s traceparent', async () => {
  const traceId = hex(16);
  const callerSpan = hex(8);
  const catalog = createClient(CatalogServiceService, proc.address, { caller: null });
  await catalog.getProduct(
    { sku: 'A1' },
    {
      metadata: {
        traceparent: `00-${traceId}-${callerSpan}-01`,
        authorization: 'Bearer not-a-real-token-4711',
      },
    },
  );
  catalog.close();

  const spans = await spansOf(traceId, 3);
  const find = (kind: SpanLine['kind'], name: string) =>
    spans.filter(
      (s) => s.kind === kind && s.name === `grpc.shop.catalog.v1.CatalogService/${name}`,
    );
  const [outer] = find('SERVER', 'GetProduct');
  const [client] = find('CLIENT', 'BatchGetProducts');
  const [inner] = find('SERVER', 'BatchGetProducts');
  expect(spans).toHaveLength(3);
  expect(outer?.parentSpanId).toBe(callerSpan);
  expect(client?.parentSpanId).toBe(outer?.spanId);
  expect(inner?.parentSpanId).toBe(client?.spanId);
  expect(outer).toMatchObject({
    service: 'traced-fixture',
    attributes: {
      'rpc.system': 'grpc',
      'rpc.service': 'shop.catalog.v1.CatalogService',
      'rpc.method': 'GetProduct',
      'rpc.grpc.status_code': status.OK,
    },
  });
  // Neither the bearer token nor any metadata ends up in spans.
  const text = JSON.stringify(spans);
  expect(text).not.toContain('not-a-real-token');
  expect(text.toLowerCase()).not.toContain('authorization');

  // The handler's log line carries the ids of the server span it ran in.
  const line = await eventually(
    () => logLines(proc).find((l) => l.msg === 'looking up product' && l.trace_id === traceId),
    Boolean,
  );
  expect(line).toMatchObject({ trace_id: traceId, span_id: outer?.spanId, sku: 'A1' });
});

test('declared correlation ids (the fixture’s order id) become span attributes and log fields', async () => {
  const traceId = hex(16);
  const orders = createClient(OrderServiceService, proc.address, { caller: null });
  await orders.getOrder(
    { orderId: 'ord-telemetry-1' },
    { metadata: { traceparent: `00-${traceId}-${hex(8)}-01` } },
  );
  orders.close();
  const [span] = await spansOf(traceId, 1);
  expect(span?.attributes['fixture.order_id']).toBe('ord-telemetry-1');
  const line = await eventually(
    () => logLines(proc).find((l) => l.msg === 'reading order' && l.trace_id === traceId),
    Boolean,
  );
  expect(line?.order_id).toBe('ord-telemetry-1');
});

test('the Prometheus endpoint has RED metrics per method and status code', async () => {
  const catalog = createClient(CatalogServiceService, proc.address, { caller: null });
  for (let i = 0; i < 3; i++) await catalog.getProduct({ sku: `S${i}` });
  await expect(catalog.getProduct({ sku: 'MISSING' })).rejects.toMatchObject({
    code: status.NOT_FOUND,
  });
  catalog.close();

  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  const samples = parsePrometheus(await res.text());
  const getProduct = {
    rpc_system: 'grpc',
    rpc_service: 'shop.catalog.v1.CatalogService',
    rpc_method: 'GetProduct',
  };
  const ok = promSamples(samples, 'rpc_server_requests_total', {
    ...getProduct,
    rpc_grpc_status_code: '0',
  });
  const notFound = promSamples(samples, 'rpc_server_requests_total', {
    ...getProduct,
    rpc_grpc_status_code: String(status.NOT_FOUND),
  });
  expect(ok[0]?.value).toBeGreaterThanOrEqual(3);
  expect(notFound[0]?.value).toBeGreaterThanOrEqual(1);
  const buckets = promSamples(samples, 'rpc_server_duration_bucket', {
    ...getProduct,
    rpc_grpc_status_code: '0',
  });
  expect(buckets.map((b) => b.labels.le)).toContain('+Inf');
  expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(ok[0]?.value);
  expect(promSamples(samples, 'rpc_server_duration_sum', getProduct).length).toBeGreaterThan(0);
  // The nested call is counted on the client side too.
  expect(
    promSamples(samples, 'rpc_client_requests_total', {
      rpc_method: 'BatchGetProducts',
      rpc_grpc_status_code: '0',
    })[0]?.value,
  ).toBeGreaterThanOrEqual(3);
  expect(
    promSamples(samples, 'rpc_client_duration_count', { rpc_method: 'BatchGetProducts' }).length,
  ).toBe(1);
});

test('SIGTERM shuts down cleanly with telemetry flushed', async () => {
  const before = readSpanLines(spanFile()).length;
  expect(before).toBeGreaterThan(0);
  expect(await proc.kill('SIGTERM')).toBe(0);
  await expect(fetch(metricsUrl)).rejects.toThrow();
});

test('OTEL_SDK_DISABLED=true switches everything off; the caller’s trace id still reaches the logs', async () => {
  const file = path.join(dir, 'disabled.spans.jsonl');
  const metricsPort = await freePort();
  const off = await spawnTs({
    name: 'traced-off',
    entry: ENTRY,
    port: await freePort(),
    env: {
      OTEL_SDK_DISABLED: 'true',
      OTEL_SERVICE_NAME: 'traced-off',
      OTEL_TRACES_EXPORTER: 'file',
      MESHCART_OTEL_FILE: file,
      METRICS_PORT: String(metricsPort),
    },
  });
  try {
    const traceId = hex(16);
    const catalog = createClient(CatalogServiceService, off.address, { caller: null });
    await catalog.getProduct(
      { sku: 'A1' },
      { metadata: { traceparent: `00-${traceId}-${hex(8)}-01` } },
    );
    catalog.close();
    const line = await eventually(
      () => logLines(off).find((l) => l.msg === 'looking up product'),
      Boolean,
    );
    expect(line?.trace_id).toBe(traceId);
    expect(readSpanLines(file)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  } finally {
    await off.kill();
  }
});

test('without a span exporter nothing is instrumented, yet the caller’s trace id reaches every log line downstream', async () => {
  const off = await spawnTs({
    name: 'traced-none',
    entry: ENTRY,
    port: await freePort(),
    // spawnTs's defaults: OTEL_TRACES_EXPORTER=none, OTEL_METRICS_EXPORTER=none, METRICS_PORT=0.
    env: { OTEL_SERVICE_NAME: 'traced-none' },
  });
  try {
    const traceId = hex(16);
    const catalog = createClient(CatalogServiceService, off.address, { caller: null });
    await catalog.getProduct(
      { sku: 'A1' },
      { metadata: { traceparent: `00-${traceId}-${hex(8)}-01` } },
    );
    catalog.close();
    // The outer handler's line, and the nested call's (its traceparent came through the kit client).
    for (const msg of ['looking up product', 'batch lookup']) {
      const line = await eventually(() => logLines(off).find((l) => l.msg === msg), Boolean);
      expect(line?.trace_id).toBe(traceId);
      // No instrumentation: no (even non-recording) span is active, so no span_id either.
      expect(line).not.toHaveProperty('span_id');
    }
  } finally {
    await off.kill();
  }
});
