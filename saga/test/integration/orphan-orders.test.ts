/**
 * No order left behind, end to end: real catalog, inventory, payments, shipping and orders
 * processes, real MariaDB and Temporal, the saga worker in this process. The fault is the real
 * one: orders runs with TEMPORAL_ADDRESS pointing where nothing listens, so PlaceOrder saves the
 * order and then fails to start its saga; orders is then restarted against Temporal (the
 * outage is over) and the reconciler's schedule recovers the order, which ends CONFIRMED.
 */
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { GrpcCallError } from '@meshcart/kit';
import { freePort } from '@meshcart/kit/testkit';
import { OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import { orderWorkflowId } from '../../src/contract';
import { ensureReconcileSchedule } from '../../src/worker/reconcile-schedule';
import { RECONCILE_ORPHANS_WORKFLOW } from '../../src/workflow/reconcile-orders.workflow';
import { createSagaEnv, type SagaEnv } from '../support/saga-env';
import { ADDRESS_DE } from './stack-clients';
import { startSagaStack, type SagaStack } from './saga-stack';

jest.setTimeout(240_000);

let env: SagaEnv;
let stack: SagaStack;
let worker: { stop(): Promise<void> } | undefined;
const schedules: string[] = [];
const orders: string[] = [];
const saved = { address: process.env.TEMPORAL_ADDRESS, grace: process.env.ORPHAN_GRACE };
const restoreEnv = (key: string, value: string | undefined) =>
  value === undefined ? delete process.env[key] : (process.env[key] = value);

beforeAll(async () => {
  env = await createSagaEnv();
  // The spawned services inherit this process's env: orders gets an unreachable Temporal and a
  // short grace period (the default 60 s would only make the test slower).
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${await freePort()}`;
  process.env.ORPHAN_GRACE = '1s';
  try {
    stack = await startSagaStack();
  } finally {
    restoreEnv('TEMPORAL_ADDRESS', saved.address);
  }
  worker = await stack.startWorker(env.bundle, {});
}, 300_000);

afterAll(async () => {
  for (const id of schedules)
    await env.client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  for (const id of orders)
    await env.client.workflow
      .getHandle(orderWorkflowId(id))
      .terminate('test over')
      .catch(() => undefined);
  restoreEnv('ORPHAN_GRACE', saved.grace);
  await worker?.stop();
  await stack?.stop();
  await env?.close();
}, 60_000);

const scheduleId = () => {
  const id = `orphan-test-${randomBytes(4).toString('hex')}`;
  schedules.push(id);
  return id;
};

test('an order whose saga start failed after the insert gets its saga from the reconciler and ends CONFIRMED', async () => {
  const user = `orphan-${randomBytes(4).toString('hex')}`;
  const asUser = { metadata: stack.auth.bearer(await stack.auth.userToken(user)) };
  const sku = await stack.clients.seedProduct(5, 1500);
  const req = {
    requestId: randomBytes(8).toString('hex'),
    items: [{ sku, quantity: 2 }],
    shippingAddress: ADDRESS_DE,
    paymentToken: 'tok_visa',
  };
  const failed: unknown = await stack.clients.orders
    .placeOrder(req, { ...asUser, timeoutMs: 5_000 })
    .catch((e: unknown) => e);
  expect(failed).toBeInstanceOf(GrpcCallError);
  expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain((failed as GrpcCallError).code);

  // The row was saved before the start failed: a PENDING order without a saga.
  const listed = await stack.clients.orders.listOrders({ pageSize: 10, pageToken: '' }, asUser);
  expect(listed.orders.map((o) => o.status)).toEqual([OrderStatus.ORDER_STATUS_PENDING]);
  const orderId = listed.orders[0]!.id;
  orders.push(orderId);
  await expect(env.client.workflow.getHandle(orderWorkflowId(orderId)).describe()).rejects.toThrow(
    /not found/i,
  );

  // The outage ends: orders comes back against the real Temporal; the reconciler is scheduled.
  await stack.restart('orders');
  const id = scheduleId();
  await ensureReconcileSchedule(env.client, {
    scheduleId: id,
    intervalMs: 5_000,
    taskQueue: stack.taskQueue,
  });

  const order = await stack.clients.waitOrder(user, orderId, { timeoutMs: 120_000 });
  expect(order.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
  expect(await stack.stock(sku)).toEqual({ onHand: 3, reserved: 0 });
  const payment = await stack.clients.payments.getPayment({ paymentId: orderId });
  expect(payment.payment?.amount).toEqual(order.total);

  // The reconciler ran as scheduled, and the order has exactly one saga.
  const runs: string[] = [];
  for await (const wf of env.client.workflow.list({
    query: `WorkflowId = '${orderWorkflowId(orderId)}'`,
  }))
    runs.push(wf.runId);
  expect(runs).toHaveLength(1);
  const desc = await env.client.schedule.getHandle(id).describe();
  expect(desc.info.recentActions.length).toBeGreaterThanOrEqual(1);
});

test('the schedule is created once and brought up to date on every boot (overlap SKIP)', async () => {
  const id = scheduleId();
  const settings = { scheduleId: id, intervalMs: 60_000, taskQueue: stack.taskQueue };
  expect(await ensureReconcileSchedule(env.client, settings)).toBe('created');
  expect(await ensureReconcileSchedule(env.client, { ...settings, intervalMs: 30_000 })).toBe(
    'updated',
  );
  const desc = await env.client.schedule.getHandle(id).describe();
  expect(desc.policies.overlap).toBe('SKIP');
  expect(desc.spec.intervals?.map((i) => i.every)).toEqual([30_000]);
  expect(desc.action).toMatchObject({
    type: 'startWorkflow',
    workflowType: RECONCILE_ORPHANS_WORKFLOW,
    taskQueue: stack.taskQueue,
  });
});
