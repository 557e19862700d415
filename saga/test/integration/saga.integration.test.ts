/**
 * The order saga end to end: real catalog, inventory, payments, shipping and orders processes,
 * real MariaDB, real Temporal, the saga worker in this process. Orders are placed through
 * orders' PlaceOrder as a customer; outcomes are read back from every service.
 */
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { GrpcCallError } from '@meshcart/kit';
import { ReservationStatus } from '@meshcart/proto/shop/inventory/v1/inventory';
import { OrderStatus, type Order } from '@meshcart/proto/shop/orders/v1/orders';
import { LedgerEntryKind, PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { ShipmentStatus } from '@meshcart/proto/shop/shipping/v1/shipping';
import { orderWorkflowId } from '../../src/contract';
import { createSagaEnv, recordHistory, type SagaEnv } from '../support/saga-env';
import { startSagaStack, type SagaStack } from './saga-stack';

jest.setTimeout(180_000);

let env: SagaEnv;
let stack: SagaStack;
let worker: { stop(): Promise<void> };
const started: string[] = [];

beforeAll(async () => {
  [env, stack] = await Promise.all([createSagaEnv(), startSagaStack()]);
  // A window long enough for the cancel-after-confirm tests; afterAll ends what is left open.
  worker = await stack.startWorker(env.bundle, {
    cancellationWindowMs: 10 * 60_000,
    compensationBudgetMs: 60_000,
  });
}, 300_000);

afterAll(async () => {
  await Promise.all(
    started.map((id) =>
      env.client.workflow
        .getHandle(orderWorkflowId(id))
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
  await worker?.stop();
  await stack?.stop();
  await env?.close();
}, 60_000);

const user = () => `user-${randomBytes(4).toString('hex')}`;

async function place(
  userId: string,
  items: { sku: string; quantity: number }[],
  opts: Parameters<SagaStack['clients']['placeOrder']>[2] = {},
) {
  const order = await stack.clients.placeOrder(userId, items, opts);
  started.push(order.id);
  expect(order.status).toBe(OrderStatus.ORDER_STATUS_PENDING);
  return order;
}

const record = async (name: string, orderId: string) => {
  if (process.env.RECORD_HISTORIES === '1')
    await recordHistory(name, env.client.workflow.getHandle(orderWorkflowId(orderId)));
};

const payment = async (id: string) =>
  (await stack.clients.payments.getPayment({ paymentId: id })).payment!;
const reservation = async (id: string) =>
  (await stack.clients.reservations.getReservation({ reservationId: id })).reservation!;
const shipment = async (id: string) =>
  (await stack.clients.shipping.getShipment({ shipmentId: id })).shipment!;
const expectCancelled = (o: Order, reason: string) =>
  expect([OrderStatus[o.status], o.cancellationReason]).toEqual(['ORDER_STATUS_CANCELLED', reason]);

test('happy path: CONFIRMED, stock committed, exactly the total captured, shipment booked', async () => {
  const [a, b] = await Promise.all([
    stack.clients.seedProduct(10, 1250),
    stack.clients.seedProduct(5, 300),
  ]);
  const u = user();
  const placed = await place(u, [
    { sku: a, quantity: 2 },
    { sku: b, quantity: 1 },
  ]);
  const order = await stack.clients.waitOrder(u, placed.id);
  expect(OrderStatus[order.status]).toBe('ORDER_STATUS_CONFIRMED');
  expect(order.paymentStatus).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
  expect(order.shipmentStatus).toBe(ShipmentStatus.SHIPMENT_STATUS_CREATED);
  expect(await stack.stock(a)).toEqual({ onHand: 8, reserved: 0 });
  expect(await stack.stock(b)).toEqual({ onHand: 4, reserved: 0 });
  const p = await payment(placed.id);
  expect(p.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
  expect(p.captured).toEqual(order.total);
  expect((await reservation(placed.id)).status).toBe(
    ReservationStatus.RESERVATION_STATUS_COMMITTED,
  );
  expect((await shipment(placed.id)).status).toBe(ShipmentStatus.SHIPMENT_STATUS_CREATED);
  await record('int-happy-path', placed.id);
});

test('out of stock: CANCELLED OUT_OF_STOCK, no payment was ever attempted', async () => {
  const sku = await stack.clients.seedProduct(1);
  const u = user();
  const placed = await place(u, [{ sku, quantity: 2 }]);
  expectCancelled(await stack.clients.waitOrder(u, placed.id), 'OUT_OF_STOCK');
  const err = (await stack.clients.payments
    .getPayment({ paymentId: placed.id })
    .catch((e: unknown) => e)) as GrpcCallError;
  expect(status[err.code]).toBe('NOT_FOUND');
  expect(await stack.stock(sku)).toEqual({ onHand: 1, reserved: 0 });
  await record('int-out-of-stock', placed.id);
});

test('tok_decline: CANCELLED PAYMENT_DECLINED, reservation released, availability as before', async () => {
  const sku = await stack.clients.seedProduct(7);
  const u = user();
  const placed = await place(u, [{ sku, quantity: 3 }], { token: 'tok_decline' });
  expectCancelled(await stack.clients.waitOrder(u, placed.id), 'PAYMENT_DECLINED');
  expect((await reservation(placed.id)).status).toBe(ReservationStatus.RESERVATION_STATUS_RELEASED);
  expect(await stack.stock(sku)).toEqual({ onHand: 7, reserved: 0 });
  await record('int-payment-declined', placed.id);
});

test('tok_flaky: retried through two UNAVAILABLE answers, CONFIRMED, one AUTHORIZATION in the ledger', async () => {
  const sku = await stack.clients.seedProduct(4);
  const u = user();
  const placed = await place(u, [{ sku, quantity: 1 }], { token: 'tok_flaky' });
  const order = await stack.clients.waitOrder(u, placed.id);
  expect(OrderStatus[order.status]).toBe('ORDER_STATUS_CONFIRMED');
  const p = await payment(placed.id);
  expect(
    p.ledger.filter((e) => e.kind === LedgerEntryKind.LEDGER_ENTRY_KIND_AUTHORIZATION),
  ).toHaveLength(1);
  expect(p.captured).toEqual(order.total);
  await record('int-flaky-payment', placed.id);
});

test('country AQ: CANCELLED DESTINATION_NOT_SERVED, authorization voided, stock restored', async () => {
  const sku = await stack.clients.seedProduct(6);
  const u = user();
  const address = {
    recipient: 'Penguin',
    lines: ['Research Station 1'],
    city: 'McMurdo',
    postalCode: '0000',
    countryCode: 'AQ',
  };
  const placed = await place(u, [{ sku, quantity: 2 }], { address });
  const order = await stack.clients.waitOrder(u, placed.id);
  expectCancelled(order, 'DESTINATION_NOT_SERVED');
  expect((await payment(placed.id)).status).toBe(PaymentStatus.PAYMENT_STATUS_VOIDED);
  expect(order.paymentStatus).toBe(PaymentStatus.PAYMENT_STATUS_VOIDED);
  expect(await stack.stock(sku)).toEqual({ onHand: 6, reserved: 0 });
  await record('int-destination-not-served', placed.id);
});

test('customer cancel while the saga runs: CANCELLED_BY_CUSTOMER, nothing charged, stock back', async () => {
  const sku = await stack.clients.seedProduct(5);
  const u = user();
  // tok_flaky keeps the saga in its authorization retries for ~1.5 s: the cancel lands meanwhile.
  const placed = await place(u, [{ sku, quantity: 2 }], { token: 'tok_flaky' });
  await stack.clients.cancelOrder(u, placed.id);
  const order = await stack.clients.waitOrder(u, placed.id);
  expectCancelled(order, 'CANCELLED_BY_CUSTOMER');
  // Voided (authorized, or a tombstone when the void overtook it), or never attempted at all.
  const p = await stack.clients.payments.getPayment({ paymentId: placed.id }).then(
    (r) => r.payment!,
    () => undefined,
  );
  if (p)
    expect([PaymentStatus[p.status], p.captured?.amountMinor ?? '0']).toEqual([
      'PAYMENT_STATUS_VOIDED',
      '0',
    ]);
  expect(await stack.stock(sku)).toEqual({ onHand: 5, reserved: 0 });
  await record('int-cancel-while-running', placed.id);
});

test('customer cancel after CONFIRMED: shipment cancelled, refunded in full, stock returned', async () => {
  const sku = await stack.clients.seedProduct(9, 2000);
  const u = user();
  const placed = await place(u, [{ sku, quantity: 3 }]);
  expect(OrderStatus[(await stack.clients.waitOrder(u, placed.id)).status]).toBe(
    'ORDER_STATUS_CONFIRMED',
  );
  expect(await stack.stock(sku)).toEqual({ onHand: 6, reserved: 0 });
  await stack.clients.cancelOrder(u, placed.id);
  const order = await stack.clients.waitOrder(u, placed.id, {
    until: (o) => o.status !== OrderStatus.ORDER_STATUS_CONFIRMED,
  });
  expectCancelled(order, 'CANCELLED_BY_CUSTOMER');
  const p = await payment(placed.id);
  expect(p.status).toBe(PaymentStatus.PAYMENT_STATUS_REFUNDED);
  expect(p.refunded).toEqual(p.captured);
  expect(p.captured).toEqual(order.total);
  expect((await shipment(placed.id)).status).toBe(ShipmentStatus.SHIPMENT_STATUS_CANCELLED);
  expect((await reservation(placed.id)).status).toBe(ReservationStatus.RESERVATION_STATUS_RETURNED);
  expect(await stack.stock(sku)).toEqual({ onHand: 9, reserved: 0 });
  await record('int-cancel-after-confirm', placed.id);
});

test('customer cancel after dispatch: refused ALREADY_DISPATCHED, the order stays CONFIRMED and paid', async () => {
  const sku = await stack.clients.seedProduct(3);
  const u = user();
  const placed = await place(u, [{ sku, quantity: 1 }]);
  expect(OrderStatus[(await stack.clients.waitOrder(u, placed.id)).status]).toBe(
    'ORDER_STATUS_CONFIRMED',
  );
  await stack.clients.carrier.markDispatched({ shipmentId: placed.id });
  const err = (await stack.clients
    .cancelOrder(u, placed.id)
    .catch((e: unknown) => e)) as GrpcCallError;
  expect([status[err.code], err.reason]).toEqual(['FAILED_PRECONDITION', 'ALREADY_DISPATCHED']);
  const order = await stack.clients.getOrder(u, placed.id);
  expect(OrderStatus[order.status]).toBe('ORDER_STATUS_CONFIRMED');
  expect((await payment(placed.id)).status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
  expect(await stack.stock(sku)).toEqual({ onHand: 2, reserved: 0 });
  await record('int-cancel-after-dispatch', placed.id);
});
