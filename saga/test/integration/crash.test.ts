/**
 * Crash safety (issue acceptance): a batch of orders while the saga worker is killed -9 and,
 * separately, payments is killed -9 mid-batch. After restarts every order reaches a terminal
 * outcome and the books balance: stock is conserved, the captured total equals the sum of the
 * CONFIRMED totals, and no terminal order leaves an AUTHORIZED payment behind.
 * SAGA_CRASH_ORDERS sets the batch size: 20 by default (the short form in `npx jest saga`),
 * 50 for the acceptance run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnTs, freePort, type SpawnedProcess } from '@meshcart/kit/testkit';
import { OrderStatus, type Order } from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentStatus, type Payment } from '@meshcart/proto/shop/payments/v1/payments';
import { createSagaEnv, type SagaEnv } from '../support/saga-env';
import { startSagaStack, type SagaStack } from './saga-stack';

const ORDERS = Number(process.env.SAGA_CRASH_ORDERS ?? 20);
const TOKENS = ['tok_visa', 'tok_visa', 'tok_visa', 'tok_flaky', 'tok_decline'];
jest.setTimeout(600_000);

let env: SagaEnv;
let stack: SagaStack;
let worker: SpawnedProcess | undefined;
let bundlePath: string;
const USER = 'crash-user';

beforeAll(async () => {
  [env, stack] = await Promise.all([createSagaEnv(), startSagaStack()]);
  // The spawned worker loads the prebuilt bundle (as in the image): restarts take seconds.
  bundlePath = path.join(mkdtempSync(path.join(tmpdir(), 'saga-bundle-')), 'workflows.js');
  writeFileSync(bundlePath, env.bundle.code);
}, 300_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await stack?.stop();
  await env?.close();
}, 60_000);

async function startWorker(): Promise<SpawnedProcess> {
  return spawnTs({
    name: 'saga-worker',
    entry: 'saga/src/worker/main.ts',
    port: await freePort(), // health port (GRPC_PORT): spawnTs waits for SERVING
    env: {
      ...stack.workerEnv({ cancellationWindowMs: 1_000 }),
      WORKFLOW_BUNDLE_PATH: bundlePath,
      LOG_LEVEL: 'warn',
    },
    timeoutMs: 120_000,
  });
}

test(`${ORDERS} orders survive kill -9 of the worker and of payments; the books balance`, async () => {
  const skus = await Promise.all([
    stack.clients.seedProduct(25, 1100),
    stack.clients.seedProduct(25, 700),
  ]);
  const before = await Promise.all(skus.map((s) => stack.stock(s)));
  worker = await startWorker();

  const placed: { order: Order; items: { sku: string; quantity: number }[] }[] = [];
  const placeBatch = async (from: number, to: number) => {
    const batch = [];
    for (let i = from; i < to; i += 1) {
      const items = [{ sku: skus[i % 2]!, quantity: 1 + (i % 3) }];
      batch.push(
        stack.clients
          .placeOrder(USER, items, { token: TOKENS[i % TOKENS.length] })
          .then((order) => placed.push({ order, items })),
      );
    }
    await Promise.all(batch);
  };

  const third = Math.floor(ORDERS / 3);
  await placeBatch(0, third);
  await worker.kill('SIGKILL'); // sagas mid-flight: activities in progress, workflow tasks unacknowledged
  await placeBatch(third, 2 * third); // placed while no worker runs: they wait on the task queue
  worker = await startWorker();
  const paymentsCrash = stack.restart('payments', { downMs: 1_500 }); // while sagas authorize
  await placeBatch(2 * third, ORDERS);
  await paymentsCrash;

  const final = await Promise.all(
    placed.map((p) => stack.clients.waitOrder(USER, p.order.id, { timeoutMs: 240_000 })),
  ).catch((err: Error) => {
    const alive = worker?.child.exitCode === null && worker.child.signalCode === null;
    throw new Error(
      `${err.message}\n--- saga worker (${alive ? 'running' : 'exited'}) ---\n${worker?.output().slice(-6000)}`,
    );
  });
  const byStatus = (s: OrderStatus) => final.filter((o) => o.status === s);
  const confirmed = byStatus(OrderStatus.ORDER_STATUS_CONFIRMED);
  expect(confirmed.length + byStatus(OrderStatus.ORDER_STATUS_CANCELLED).length).toBe(ORDERS); // none stuck, none NEEDS_ATTENTION
  expect(confirmed.length).toBeGreaterThan(0);

  // Stock conservation: what left on_hand is exactly what CONFIRMED orders bought; nothing stays reserved.
  const sold = new Map<string, number>();
  for (const p of placed.filter((x) => confirmed.some((o) => o.id === x.order.id))) {
    for (const it of p.items) sold.set(it.sku, (sold.get(it.sku) ?? 0) + it.quantity);
  }
  const after = await Promise.all(skus.map((s) => stack.stock(s)));
  skus.forEach((s, i) =>
    expect(after[i]).toEqual({ onHand: before[i]!.onHand - (sold.get(s) ?? 0), reserved: 0 }),
  );

  // Money: captured == sum of CONFIRMED totals; no cancelled order holds an authorization or a capture.
  const payments = new Map<string, Payment | undefined>();
  for (const o of final) {
    payments.set(
      o.id,
      await stack.clients.payments.getPayment({ paymentId: o.id }).then(
        (r) => r.payment,
        () => undefined,
      ),
    );
  }
  const captured = [...payments.values()].reduce(
    (sum, p) => sum + BigInt(p?.captured?.amountMinor ?? '0'),
    0n,
  );
  const confirmedTotal = confirmed.reduce((sum, o) => sum + BigInt(o.total!.amountMinor), 0n);
  expect(captured).toBe(confirmedTotal);
  const heldOnCard = final.filter(
    (o) => payments.get(o.id)?.status === PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
  );
  expect(heldOnCard.map((o) => o.id)).toEqual([]);
  for (const o of byStatus(OrderStatus.ORDER_STATUS_CANCELLED)) {
    expect(['PAYMENT_STATUS_VOIDED', 'PAYMENT_STATUS_DECLINED', 'none']).toContain(
      payments.get(o.id) ? PaymentStatus[payments.get(o.id)!.status] : 'none',
    );
  }
});
