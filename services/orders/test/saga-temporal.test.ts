import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { DomainError } from '@meshcart/kit';
import { connectTestTemporal } from '@meshcart/kit/testkit';
import { ORDER_SAGA_WORKFLOW, orderWorkflowId, type OrderSagaInput } from '@meshcart/saga/contract';
import type { Client } from '@temporalio/client';
import { temporalSagaGateway } from '../src/saga/temporal-saga-gateway';
import type { SagaGateway } from '../src/saga/saga-gateway';
import { codeAndReason, failure } from './support/expect';
import { placeRequest, startHarness, type Harness } from './harness';

// No worker runs here: sagas simply stay open. A task queue of our own keeps any saga worker
// running elsewhere on this Temporal server from picking them up.
const TASK_QUEUE = `orders-test-${randomUUID()}`;
let h: Harness;
let temporal: { client: Client; close(): Promise<void> };
let gateway: SagaGateway;
const started = new Set<string>();

beforeAll(async () => {
  temporal = await connectTestTemporal();
  gateway = temporalSagaGateway(temporal.client, { taskQueue: TASK_QUEUE });
  const tracking: SagaGateway = {
    start: async (input, opts) => {
      started.add(orderWorkflowId(input.orderId));
      await gateway.start(input, opts);
    },
    cancel: (id, opts) => gateway.cancel(id, opts),
    exists: (id, opts) => gateway.exists(id, opts),
  };
  h = await startHarness('temporal', tracking);
});

afterAll(async () => {
  await Promise.all(
    [...started].map((id) =>
      temporal.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
  await temporal.close();
  await h.stop();
});

/** Every execution (any run) with this workflow id, as the visibility store lists them. */
async function executions(workflowId: string): Promise<string[]> {
  const runs: string[] = [];
  for await (const wf of temporal.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push(wf.runId);
  return runs;
}

async function eventuallyExecutions(workflowId: string, atLeast: number): Promise<string[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const runs = await executions(workflowId);
    if (runs.length >= atLeast || Date.now() > until) return runs;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('the same request twice: one order, exactly one saga execution, started as the contract says', async () => {
  const req = placeRequest({ paymentToken: 'tok_visa' });
  const opts = await h.asUser('u-temporal');
  const { order } = await h.orders.placeOrder(req, opts);
  const workflowId = `order-${order!.id}`;
  const handle = temporal.client.workflow.getHandle(workflowId);
  const first = await handle.describe();
  expect(first).toMatchObject({
    type: ORDER_SAGA_WORKFLOW,
    taskQueue: TASK_QUEUE,
    status: { name: 'RUNNING' },
  });
  // No execution timeout: it would end the saga without its compensations.
  expect(Number(first.raw.executionConfig?.workflowExecutionTimeout?.seconds ?? 0)).toBe(0);

  const again = await h.orders.placeOrder(req, opts);
  expect(again.order!.id).toBe(order!.id);
  expect((await handle.describe()).runId).toBe(first.runId);
  await new Promise((r) => setTimeout(r, 300)); // give visibility a moment to show a second run if there were one
  expect(await eventuallyExecutions(workflowId, 1)).toEqual([first.runId]);

  const history = await handle.fetchHistory();
  const payload =
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  const input = JSON.parse(Buffer.from(payload!).toString('utf8')) as OrderSagaInput;
  expect(input).toEqual({
    orderId: order!.id,
    userId: 'u-temporal',
    items: req.items,
    total: order!.total,
    shippingAddress: req.shippingAddress,
    paymentMethodId: expect.stringMatching(/^pm_/),
  });
  // The history carries the vaulted payment method's id, never the card token.
  expect(Buffer.from(payload!).toString('utf8')).not.toContain('tok_');
});

test('a repeat after the saga closed never starts a second one', async () => {
  const req = placeRequest();
  const opts = await h.asUser('u-temporal-closed');
  const { order } = await h.orders.placeOrder(req, opts);
  const workflowId = `order-${order!.id}`;
  await temporal.client.workflow.getHandle(workflowId).terminate('simulated end of the saga');
  // The order is still PENDING (the saga "crashed" before recording), so the repeat asks to start it again.
  expect((await h.orders.placeOrder(req, opts)).order!.id).toBe(order!.id);
  await new Promise((r) => setTimeout(r, 300));
  expect(await eventuallyExecutions(workflowId, 1)).toHaveLength(1);
  expect((await temporal.client.workflow.getHandle(workflowId).describe()).status.name).toBe(
    'TERMINATED',
  );
});

test('CancelOrder when the order has no saga: FAILED_PRECONDITION CANCELLATION_WINDOW_CLOSED', async () => {
  // An order stored without a saga (as if the start never happened).
  const { order } = await h.orders.placeOrder(placeRequest(), await h.asUser('u-temporal-none'));
  const orphan = await h.store.insert({
    ...(await h.store.getOwn('u-temporal-none', order!.id)),
    id: randomUUID(),
    requestId: 'orphan',
    fingerprint: 'x'.repeat(64),
    paymentMethodId: 'pm_orphan',
    paymentMethodExpireTime: null,
  });
  const e = await failure(
    h.orders.cancelOrder({ orderId: orphan.order.id }, await h.asUser('u-temporal-none')),
  );
  expect(codeAndReason(e)).toEqual(['FAILED_PRECONDITION', 'CANCELLATION_WINDOW_CLOSED']);
});

test('CancelOrder when the saga already closed: CANCELLATION_WINDOW_CLOSED', async () => {
  const opts = await h.asUser('u-temporal-ended');
  const { order } = await h.orders.placeOrder(placeRequest(), opts);
  await temporal.client.workflow
    .getHandle(`order-${order!.id}`)
    .terminate('simulated end of the saga');
  const e = await failure(h.orders.cancelOrder({ orderId: order!.id }, opts));
  expect(codeAndReason(e)).toEqual(['FAILED_PRECONDITION', 'CANCELLATION_WINDOW_CLOSED']);
});

test('a cancel the saga does not answer in time: DEADLINE_EXCEEDED SAGA_TIMEOUT', async () => {
  const { order } = await h.orders.placeOrder(placeRequest(), await h.asUser('u-temporal-slow'));
  const started = Date.now();
  const e: unknown = await gateway
    .cancel(order!.id, { deadline: new Date(Date.now() + 1_000) })
    .catch((x: unknown) => x);
  expect(e).toBeInstanceOf(DomainError);
  expect([(e as DomainError).code, (e as DomainError).reason]).toEqual([
    status.DEADLINE_EXCEEDED,
    'SAGA_TIMEOUT',
  ]);
  expect(Date.now() - started).toBeLessThan(5_000);
});
