/**
 * Orphan orders against the real Temporal dev server (no worker: sagas simply stay open) and
 * MariaDB. The orphan is made the realistic way: orders' Temporal client points at an address
 * where nothing listens, so PlaceOrder saves the order and then fails to start its saga; then
 * the client is pointed back at Temporal and the reconciler (ReconcileOrphanOrders, as the saga
 * worker calls it) runs.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { connectTestTemporal, freePort } from '@meshcart/kit/testkit';
import { orderWorkflowId, type OrderSagaInput } from '@meshcart/saga/contract';
import {
  OrderStatus,
  ReconcileOutcome,
  type ReconciledOrder,
} from '@meshcart/proto/shop/orders/v1/orders';
import { temporalSagaGateway } from '../src/saga/temporal-saga-gateway';
import type { SagaGateway } from '../src/saga/saga-gateway';
import { codeAndReason, failure } from './support/expect';
import { placeRequest, startHarness, type Harness } from './harness';

const TASK_QUEUE = `orders-orphan-test-${randomUUID()}`;
const GRACE_MS = 3_000;
let h: Harness;
let temporal: Awaited<ReturnType<typeof connectTestTemporal>>;
let down: { client: Client; connection: Connection };
/** What orders' saga gateway talks to right now: Temporal, or nothing (`down`). */
let current: SagaGateway;
let real: SagaGateway;
let unreachable: SagaGateway;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  real = temporalSagaGateway(temporal.client, { taskQueue: TASK_QUEUE });
  // A port nothing listens on: the lazy connection fails at the first call, like Temporal down.
  const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  down = { connection, client: new Client({ connection }) };
  const downGateway = temporalSagaGateway(down.client, { taskQueue: TASK_QUEUE });
  // Fails after 0.5 s (the client retries UNAVAILABLE until its deadline), inside PlaceOrder's.
  const soon = () => ({ deadline: new Date(Date.now() + 500) });
  unreachable = {
    start: (input) => downGateway.start(input, soon()),
    cancel: (id) => downGateway.cancel(id, soon()),
    exists: (id) => downGateway.exists(id, soon()),
  };
  current = real;
  const switchable: SagaGateway = {
    start: (input, opts) => current.start(input, opts),
    cancel: (id, opts) => current.cancel(id, opts),
    exists: (id, opts) => current.exists(id, opts),
  };
  h = await startHarness('orphans', switchable, {
    orphans: { graceMs: GRACE_MS, maxAgeMs: 3_600_000, batchSize: 50 },
  });
});

afterAll(async () => {
  for (const id of started)
    await temporal.client.workflow
      .getHandle(orderWorkflowId(id))
      .terminate('test over')
      .catch(() => undefined);
  await down.connection.close().catch(() => undefined);
  await temporal.close();
  await h.stop();
});

const started: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Places an order while Temporal is unreachable: saved PENDING, its saga start fails. */
async function orphan(
  userId: string,
): Promise<{ id: string; req: ReturnType<typeof placeRequest> }> {
  const req = placeRequest();
  current = unreachable;
  try {
    const e = await failure(h.orders.placeOrder(req, await h.asUser(userId)));
    expect(codeAndReason(e)).toEqual(['UNAVAILABLE', 'SAGA_UNAVAILABLE']);
  } finally {
    current = real; // Temporal is back
  }
  const row = await h.prisma.order.findFirstOrThrow({
    where: { userId, requestId: req.requestId },
  });
  expect(row.status).toBe('PENDING');
  started.push(row.id);
  return { id: row.id, req };
}

async function reconcile(maxOrders = 0): Promise<ReconciledOrder[]> {
  return (await h.saga.reconcileOrphanOrders({ maxOrders }, await h.asSagaWorker())).orders;
}
const outcomeOf = (all: ReconciledOrder[], id: string) =>
  all.filter((r) => r.orderId === id).map((r) => [ReconcileOutcome[r.outcome], r.detail]);
const describe_ = (id: string) =>
  temporal.client.workflow.getHandle(orderWorkflowId(id)).describe();
const notFound = (id: string) =>
  describe_(id).then(
    () => false,
    (e: Error) => e.name === 'WorkflowNotFoundError',
  );

test('an orphan (saga start failed after the insert) gets its saga with PlaceOrder input; a running saga is left alone', async () => {
  const lost = await orphan('u-orphan');
  expect(await notFound(lost.id)).toBe(true);
  // A healthy order whose saga runs (no worker here, so it records nothing and stays PENDING).
  const { order: healthy } = await h.orders.placeOrder(placeRequest(), await h.asUser('u-orphan'));
  started.push(healthy!.id);
  const healthyRun = (await describe_(healthy!.id)).runId;

  // Inside the grace period nothing is touched, not even asked about.
  expect(outcomeOf(await reconcile(), lost.id)).toEqual([]);
  await sleep(GRACE_MS + 200);

  const results = await reconcile();
  expect(outcomeOf(results, lost.id)).toEqual([['RECONCILE_OUTCOME_SAGA_STARTED', '']]);
  expect(outcomeOf(results, healthy!.id)).toEqual([['RECONCILE_OUTCOME_SAGA_EXISTS', '']]);

  const saga = await describe_(lost.id);
  expect(saga).toMatchObject({
    type: 'OrderSaga',
    taskQueue: TASK_QUEUE,
    status: { name: 'RUNNING' },
  });
  const history = await temporal.client.workflow.getHandle(orderWorkflowId(lost.id)).fetchHistory();
  const payload =
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  const input = JSON.parse(Buffer.from(payload!).toString('utf8')) as OrderSagaInput;
  const stored = await h.prisma.order.findUniqueOrThrow({ where: { id: lost.id } });
  expect(input).toMatchObject({
    orderId: lost.id,
    userId: 'u-orphan',
    items: lost.req.items,
    shippingAddress: lost.req.shippingAddress,
    paymentMethodId: stored.paymentMethodId,
  });
  expect(stored.paymentMethodId).toMatch(/^pm_/);
  // The healthy order's saga is the same run, and the order is still PENDING.
  expect((await describe_(healthy!.id)).runId).toBe(healthyRun);
  expect((await h.prisma.order.findUniqueOrThrow({ where: { id: healthy!.id } })).status).toBe(
    'PENDING',
  );

  // Both are now known to have a saga: the next pass does not look at them again.
  const next = await reconcile();
  expect([...outcomeOf(next, lost.id), ...outcomeOf(next, healthy!.id)]).toEqual([]);
});

test('an orphan that cannot start any more is CANCELLED SAGA_NOT_STARTED, and no saga ever runs for it', async () => {
  const expired = await orphan('u-orphan-cancel');
  const old = await orphan('u-orphan-cancel');
  const legacy = await orphan('u-orphan-cancel');
  await h.prisma.order.update({
    where: { id: expired.id },
    data: { paymentMethodExpireTime: new Date(Date.now() - 1_000) },
  });
  await h.prisma.order.update({
    where: { id: old.id },
    data: { createTime: new Date(Date.now() - 2 * 3_600_000) },
  });
  await h.prisma.order.update({ where: { id: legacy.id }, data: { paymentMethodId: null } });
  await sleep(GRACE_MS + 200);

  const results = await reconcile();
  expect(outcomeOf(results, expired.id)).toEqual([
    ['RECONCILE_OUTCOME_CANCELLED', 'PAYMENT_METHOD_EXPIRED'],
  ]);
  expect(outcomeOf(results, old.id)).toEqual([['RECONCILE_OUTCOME_CANCELLED', 'MAX_AGE_EXCEEDED']]);
  expect(outcomeOf(results, legacy.id)).toEqual([
    ['RECONCILE_OUTCOME_CANCELLED', 'NO_PAYMENT_METHOD'],
  ]);
  for (const { id } of [expired, old, legacy]) {
    const order = (await h.orders.getOrder({ orderId: id }, await h.asUser('u-orphan-cancel')))
      .order!;
    expect([order.status, order.cancellationReason]).toEqual([
      OrderStatus.ORDER_STATUS_CANCELLED,
      'SAGA_NOT_STARTED',
    ]);
    expect(await notFound(id)).toBe(true);
  }
  // The client's repeat now answers the cancelled order and starts nothing.
  const again = await h.orders.placeOrder(expired.req, await h.asUser('u-orphan-cancel'));
  expect(again.order!.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
  expect(await notFound(expired.id)).toBe(true);
});

test('two reconcilers at once: each orphan handled exactly once, one saga execution each', async () => {
  const lost = [];
  for (let i = 0; i < 4; i++) lost.push(await orphan('u-orphan-twice'));
  await sleep(GRACE_MS + 200);
  const [a, b] = await Promise.all([reconcile(), reconcile()]);
  for (const { id } of lost) {
    const outcomes = [...outcomeOf(a, id), ...outcomeOf(b, id)].map(([o]) => o);
    // Started by exactly one; the other skipped it (locked), saw the saga, or never got to it.
    expect(outcomes.filter((o) => o === 'RECONCILE_OUTCOME_SAGA_STARTED')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'RECONCILE_OUTCOME_CANCELLED')).toHaveLength(0);
    const runs: string[] = [];
    for await (const wf of temporal.client.workflow.list({
      query: `WorkflowId = '${orderWorkflowId(id)}'`,
    }))
      runs.push(wf.runId);
    expect(runs.length).toBeLessThanOrEqual(1); // visibility may lag; never two
    expect((await describe_(id)).status.name).toBe('RUNNING');
  }
});

test('the batch is bounded: max_orders examines at most that many', async () => {
  await orphan('u-orphan-batch');
  await orphan('u-orphan-batch');
  await sleep(GRACE_MS + 200);
  expect(await reconcile(1)).toHaveLength(1);
  expect((await reconcile()).length).toBeGreaterThanOrEqual(1);
});

test('only the saga worker may run the reconciler', async () => {
  const asOrders = { metadata: h.auth.bearer(await h.auth.serviceToken('orders')) };
  const asUser = await h.asUser('u-orphan');
  for (const opts of [asOrders, asUser]) {
    const e = await failure(h.saga.reconcileOrphanOrders({ maxOrders: 1 }, opts));
    expect(codeAndReason(e)[0]).toBe('PERMISSION_DENIED');
  }
});

test('a negative max_orders is INVALID_ARGUMENT on maxOrders', async () => {
  const e = await failure(h.saga.reconcileOrphanOrders({ maxOrders: -1 }, await h.asSagaWorker()));
  expect(codeAndReason(e)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
  expect(e.violations.map((v) => v.field)).toEqual(['maxOrders']);
});

test('the customer can cancel an orphan past the grace period (no saga to ask): CANCELLED_BY_CUSTOMER', async () => {
  const lost = await orphan('u-orphan-customer');
  const asUser = await h.asUser('u-orphan-customer');
  // Within the grace period its PlaceOrder might still be starting the saga: refused as before.
  const young = await failure(h.orders.cancelOrder({ orderId: lost.id }, asUser));
  expect(codeAndReason(young)).toEqual(['FAILED_PRECONDITION', 'CANCELLATION_WINDOW_CLOSED']);
  await sleep(GRACE_MS + 200);
  const { order } = await h.orders.cancelOrder({ orderId: lost.id }, asUser);
  expect([order!.status, order!.cancellationReason]).toEqual([
    OrderStatus.ORDER_STATUS_CANCELLED,
    'CANCELLED_BY_CUSTOMER',
  ]);
  expect(await notFound(lost.id)).toBe(true);
  // The reconciler has nothing left to do with it.
  expect(outcomeOf(await reconcile(), lost.id)).toEqual([]);
});
