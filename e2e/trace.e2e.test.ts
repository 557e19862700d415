/**
 * Observability end to end: the platform started as `npm start` starts it (startStack), every
 * process tracing to its own file, with Prometheus endpoints on free ports and a short
 * cancellation window (so the saga's RunWorkflow span ends and is exported). One order is
 * placed through the JSON edge; the test then checks the one trace it made, the metrics and the
 * log correlation.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { InventoryAdminServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import { createClient, createTokenSigner } from '@meshcart/kit';
import {
  eventually,
  parsePrometheus,
  promSamples,
  readSpanLines,
  type SpanLine,
} from '@meshcart/kit/testkit';
import { dropDatabase, resolveAdminUrl } from '@meshcart/kit/db';
import {
  freeStackPorts,
  portsFromEnv,
  SERVICES,
  type MetricsProcess,
  type ServiceName,
} from '../scripts/local-stack/ports';
import { withLoadProfile } from '../scripts/local-stack/load-profile';
import { startStack, type RunningStack } from '../scripts/local-stack/stack';
import { edgeClient, orderRequest } from './http-client';

jest.setTimeout(300_000);

type Order = { id: string; status: string };

let stack: RunningStack;
let otelDir: string;
let logs: () => string;
let metricsPorts: Record<MetricsProcess, number>;
let dropAll: () => Promise<unknown>;
let api: ReturnType<typeof edgeClient>;
let order: Order;
let trace: SpanLine[] = [];

/** startE2EStack with telemetry: own databases, task queue, ports, span files and metrics ports. */
async function startTracedStack(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const ports = await freeStackPorts(portsFromEnv(), { metrics: true });
  metricsPorts = ports.metrics as Record<MetricsProcess, number>;
  otelDir = mkdtempSync(path.join(tmpdir(), 'meshcart-trace-'));
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (d: Buffer) => lines.push(d.toString()));
  logs = () => lines.join('');
  const run = randomBytes(3).toString('hex');
  const adminUrl = resolveAdminUrl();
  dropAll = () =>
    Promise.all(
      SERVICES.map((s) =>
        dropDatabase({ adminUrl, database: `e2e_${run}_${s}`, user: `e2e_${run}_${s}_svc` }).catch(
          () => undefined,
        ),
      ),
    );
  stack = await startStack({
    root,
    dataDir: path.join(root, '.data'),
    ports,
    adminUrl,
    temporalAddress: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${ports.temporal}`,
    dbPrefix: `e2e_${run}_`,
    taskQueue: `meshcart-e2e-${run}`,
    seed: true,
    logLevel: 'info',
    out,
    prettyLogs: false,
    log: (l) => lines.push(`[stack] ${l}\n`),
    telemetry: { dir: otelDir },
    env: withLoadProfile({
      ORPHAN_RECONCILE_INTERVAL: 'off', // the shared Temporal outlives the run
      OTEL_TRACES_EXPORTER: 'file',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      // The saga ends (and exports its RunWorkflow span) a few seconds after CONFIRMED.
      SAGA_CANCELLATION_WINDOW: '3s',
    }),
  }).catch(async (e: Error) => {
    await dropAll();
    throw new Error(`${e.message}\n--- stack output ---\n${lines.join('').slice(-20_000)}`);
  });
}

const byName = (name: string, service?: string, kind?: SpanLine['kind']) =>
  trace.filter(
    (s) => s.name === name && (!service || s.service === service) && (!kind || s.kind === kind),
  );
const server = (service: ServiceName, rpc: string) =>
  byName(`grpc.shop.${service}.v1.${rpc}`, service, 'SERVER');

beforeAll(async () => {
  await startTracedStack();
  try {
    await placeOneOrder();
  } catch (e) {
    process.stdout.write(`--- stack output ---\n${logs().slice(-30_000)}`);
    throw e;
  }
}, 300_000);

/** Places one order through the edge, waits for CONFIRMED and for its trace to be complete. */
async function placeOneOrder(): Promise<void> {
  api = edgeClient(stack.edgeUrl);
  const signer = await createTokenSigner({
    issuer: 'meshcart',
    audience: 'meshcart',
    privateKeyPem: stack.env.JWT_PRIVATE_KEY!,
    keyId: stack.env.JWT_KEY_ID!,
  });
  const admin = createClient(InventoryAdminServiceService, stack.addresses.inventory, {
    caller: 'ops',
    token: async () =>
      (await signer.sign({ subject: 'ops:e2e', roles: ['admin'], ttlSeconds: 600 })).token,
  });
  const email = `trace-${Date.now()}@example.com`;
  expect(
    (await api.post('/v1/users', { email, password: 'correct horse battery', displayName: 'T' }))
      .status,
  ).toBe(200);
  const token = (
    await api.post<{ accessToken: string }>('/v1/sessions', {
      email,
      password: 'correct horse battery',
    })
  ).body.accessToken;
  const sku = (await api.get<{ products: { sku: string }[] }>('/v1/products?pageSize=1')).body
    .products[0]!.sku;
  await admin.setStock({ sku, onHand: 10, note: 'trace e2e' });
  admin.close();

  const placed = await api.post<{ order: Order }>(
    '/v1/orders',
    orderRequest(sku, `trace-${Date.now()}`),
    token,
  );
  expect(placed.status).toBe(200);
  order = placed.body.order;
  const done = await eventually(
    async () => (await api.get<{ order: Order }>(`/v1/orders/${order.id}`, token)).body.order,
    (o) => o.status !== 'ORDER_STATUS_PENDING',
    90_000,
  );
  expect(done.status).toBe('ORDER_STATUS_CONFIRMED');

  // The trace is the one whose PlaceOrder span carries this order id; wait for the saga's end.
  trace = await eventually(
    () => {
      const all = readSpanLines(otelDir);
      const place = all.find(
        (s) =>
          s.name.endsWith('OrderService/PlaceOrder') &&
          s.kind === 'SERVER' &&
          s.attributes['meshcart.order_id'] === order.id,
      );
      return place ? all.filter((s) => s.traceId === place.traceId) : [];
    },
    (spans) => spans.some((s) => s.name === 'RunWorkflow:OrderSaga'),
    60_000,
  );
}

afterAll(async () => {
  // MESHCART_TRACE_DUMP=<file>: keep the order's trace (JSON lines) for a look after the run.
  if (process.env.MESHCART_TRACE_DUMP)
    writeFileSync(process.env.MESHCART_TRACE_DUMP, trace.map((s) => JSON.stringify(s)).join('\n'));
  await stack?.stop();
  await dropAll?.();
  if (otelDir) rmSync(otelDir, { recursive: true, force: true });
});

afterEach(() => {
  const state = expect.getState();
  if (state.assertionCalls > 0 && state.suppressedErrors.length > 0) {
    process.stdout.write(`--- trace (${trace.length} spans) ---\n`);
    for (const s of trace)
      process.stdout.write(
        `${s.service} ${s.kind} ${s.name} ${s.spanId} <- ${s.parentSpanId ?? 'ROOT'}\n`,
      );
    process.stdout.write(logs().slice(-10_000));
  }
});

test('one trace from the edge span to the SQL, every parent in it, one root', () => {
  const ids = new Set(trace.map((s) => s.spanId));
  const roots = trace.filter((s) => !s.parentSpanId);
  expect(roots.map((s) => [s.service, s.kind, s.name])).toEqual([
    ['edge', 'SERVER', 'POST /v1/orders'],
  ]);
  expect(
    trace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId)).map((s) => s.name),
  ).toEqual([]);
  expect(ids.size).toBe(trace.length);

  // The edge calls orders; orders starts the saga inside PlaceOrder.
  const [edgeClientSpan] = byName('shop.orders.v1.OrderService/PlaceOrder', 'edge', 'CLIENT');
  const [placeOrder] = server('orders', 'OrderService/PlaceOrder');
  expect(placeOrder?.parentSpanId).toBe(edgeClientSpan?.spanId);
  expect(placeOrder?.attributes).toMatchObject({
    'rpc.system': 'grpc',
    'rpc.service': 'shop.orders.v1.OrderService',
    'rpc.method': 'PlaceOrder',
    'meshcart.order_id': order.id,
  });
  const [start] = byName('StartWorkflow:OrderSaga', 'orders');
  const [run] = byName('RunWorkflow:OrderSaga', 'saga-worker');
  expect(start && run).toBeTruthy();
  expect(run?.parentSpanId).toBe(start?.spanId);
  expect(start?.attributes['meshcart.order_id']).toBe(order.id);
  expect(run?.attributes['meshcart.order_id']).toBe(order.id);

  // Every forward step ran as an activity, under the workflow, calling its service.
  const steps: [string, ServiceName, string][] = [
    ['reserveStock', 'inventory', 'ReservationService/ReserveStock'],
    ['authorizePayment', 'payments', 'PaymentService/AuthorizePayment'],
    ['createShipment', 'shipping', 'ShippingService/CreateShipment'],
    ['capturePayment', 'payments', 'PaymentService/CapturePayment'],
    ['commitReservation', 'inventory', 'ReservationService/CommitReservation'],
    ['recordOrderProgress', 'orders', 'OrderSagaService/RecordOrderProgress'],
  ];
  const parentOf = (s: SpanLine | undefined) => trace.find((p) => p.spanId === s?.parentSpanId);
  for (const [activity, service, rpc] of steps) {
    const runs = byName(`RunActivity:${activity}`, 'saga-worker');
    expect([activity, runs.length > 0]).toEqual([activity, true]);
    expect(runs[0]?.attributes['meshcart.order_id']).toBe(order.id);
    expect(parentOf(parentOf(runs[0]))?.spanId).toBe(run?.spanId); // RunActivity <- StartActivity <- RunWorkflow
    const calls = server(service, rpc);
    expect([rpc, calls.length > 0]).toEqual([rpc, true]);
    // server span <- client span <- the activity
    expect(runs.map((r) => r.spanId)).toContain(parentOf(parentOf(calls[0]))?.spanId);
  }
});

test('SQL spans for every database the order touched, without parameter values', () => {
  // Prisma's prisma:client:db_query spans, and the kit's spans for inventory's raw driver.
  const sql = trace.filter(
    (s) => s.kind === 'CLIENT' && typeof s.attributes['db.query.text'] === 'string',
  );
  const touched = ['catalog', 'orders', 'inventory', 'payments', 'shipping'];
  // inventory's hot paths use the raw mariadb driver: its pool must be wrapped with the kit's
  // traceMariadbPool (services/inventory/src/store/db.ts) for its statements to show up.
  const withSql = new Set(sql.map((s) => s.service));
  expect({ withoutSqlSpans: touched.filter((s) => !withSql.has(s)) }).toEqual({
    withoutSqlSpans: [],
  });
  const text = JSON.stringify(trace);
  for (const secret of [
    'tok_visa',
    'correct horse battery',
    'Bearer ',
    'authorization',
    'Ada Lovelace',
    'Analytical',
  ]) {
    expect([secret, text.includes(secret)]).toEqual([secret, false]);
  }
});

test('an activity log line and the edge access log carry the trace id', () => {
  const traceId = trace[0]!.traceId;
  const json = logs()
    .split('\n')
    .map((l) => l.replace(/^[^{]*/, ''))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const activityLine = json.find(
    (l) => l.service === 'saga-worker' && l.msg === 'activity done' && l.trace_id === traceId,
  );
  expect(activityLine).toMatchObject({ order_id: order.id, outcome: 'ok' });
  const access = json.find(
    (l) =>
      l.service === 'edge' &&
      l.msg === 'http request' &&
      l.path === '/v1/orders' &&
      l.method === 'POST',
  );
  expect(access?.trace_id).toBe(traceId);
});

test('Prometheus endpoints: RPC RED metrics, edge HTTP metrics, saga step latency', async () => {
  const scrape = async (p: MetricsProcess) =>
    parsePrometheus(await (await fetch(`http://127.0.0.1:${metricsPorts[p]}/metrics`)).text());
  const orders = await scrape('orders');
  expect(
    promSamples(orders, 'rpc_server_requests_total', {
      rpc_service: 'shop.orders.v1.OrderService',
      rpc_method: 'PlaceOrder',
      rpc_grpc_status_code: '0',
    })[0]?.value,
  ).toBeGreaterThanOrEqual(1);
  expect(
    promSamples(orders, 'rpc_server_duration_bucket', {
      rpc_method: 'RecordOrderProgress',
      le: '+Inf',
    })[0]?.value,
  ).toBeGreaterThanOrEqual(1);
  const payments = await scrape('payments');
  expect(
    promSamples(payments, 'rpc_server_requests_total', {
      rpc_method: 'AuthorizePayment',
      rpc_grpc_status_code: '0',
    })[0]?.value,
  ).toBeGreaterThanOrEqual(1);
  const edge = await scrape('edge');
  expect(
    promSamples(edge, 'http_server_request_duration_seconds_count', {
      http_route: '/v1/orders',
      http_request_method: 'POST',
    })[0]?.value,
  ).toBeGreaterThanOrEqual(1);
  const worker = await scrape('worker');
  expect(
    promSamples(worker, 'meshcart_saga_step_duration_count', {
      temporal_activity_type: 'reserveStock',
      outcome: 'ok',
    })[0]?.value,
  ).toBeGreaterThanOrEqual(1);
  expect(
    promSamples(worker, 'meshcart_saga_started_total', { temporal_workflow_type: 'OrderSaga' })[0]
      ?.value,
  ).toBeGreaterThanOrEqual(1);
  expect(
    promSamples(worker, 'meshcart_saga_confirmed_total', { temporal_workflow_type: 'OrderSaga' })[0]
      ?.value,
  ).toBeGreaterThanOrEqual(1);
  expect(
    promSamples(worker, 'rpc_client_requests_total', {
      rpc_method: 'ReserveStock',
      rpc_grpc_status_code: '0',
    })[0]?.value,
  ).toBeGreaterThanOrEqual(1);
});
