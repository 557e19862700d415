/**
 * Dispatch only after capture, end to end: real catalog, inventory, payments, shipping and
 * orders processes, real MariaDB and Temporal. The payment provider's outage is simulated at the
 * saga's payments client: CapturePayment answers UNAVAILABLE PROVIDER_UNAVAILABLE (what payments
 * answers while its provider is down; the simulated provider has no capture fault of its own)
 * until the test says the provider is back, so the saga sits retrying the capture, as it would
 * for days. Meanwhile the warehouse must not be able to dispatch the goods.
 */
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { NativeConnection } from '@temporalio/worker';
import { DomainError, domainErrorToStatus, GrpcCallError, type TypedClient } from '@meshcart/kit';
import { temporalAddress } from '@meshcart/kit/testkit';
import { ReservationStatus } from '@meshcart/proto/shop/inventory/v1/inventory';
import { OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentServiceService, PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { ShipmentStatus } from '@meshcart/proto/shop/shipping/v1/shipping';
import { orderWorkflowId } from '../../src/contract';
import { createSagaClients, createSagaWorker } from '../../src/worker/saga-worker';
import { createSagaEnv, recordHistory, type SagaEnv } from '../support/saga-env';
import { startSagaStack, type SagaStack } from './saga-stack';

jest.setTimeout(180_000);

let env: SagaEnv;
let stack: SagaStack;
let stopWorker: () => Promise<void>;
const started: string[] = [];
/**
 * The provider is down for every order this worker handles until the test recovers it (an order
 * id is known only once PlaceOrder answers, by which time the saga may already be capturing).
 */
const recovered = new Set<string>();
/** Failed capture attempts per order. */
const failedCaptures = new Map<string, number>();

const providerDown = () =>
  new GrpcCallError(
    '/shop.payments.v1.PaymentService/CapturePayment',
    domainErrorToStatus(
      new DomainError(status.UNAVAILABLE, { reason: 'PROVIDER_UNAVAILABLE' }),
      'payments.meshcart',
    ),
  );

/** The real payments client, except that capture fails until the order is recovered. */
function withCaptureOutage(
  payments: TypedClient<typeof PaymentServiceService>,
): TypedClient<typeof PaymentServiceService> {
  return new Proxy(payments, {
    get(target, prop, receiver) {
      if (prop !== 'capturePayment') return Reflect.get(target, prop, receiver);
      return async (req: { paymentId: string }, ...rest: unknown[]) => {
        if (!recovered.has(req.paymentId)) {
          failedCaptures.set(req.paymentId, (failedCaptures.get(req.paymentId) ?? 0) + 1);
          throw providerDown();
        }
        return (target.capturePayment as (...a: unknown[]) => Promise<unknown>)(req, ...rest);
      };
    },
  });
}

beforeAll(async () => {
  [env, stack] = await Promise.all([createSagaEnv(), startSagaStack()]);
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const clients = await createSagaClients({
    inventoryAddr: stack.addresses.inventory,
    paymentsAddr: stack.addresses.payments,
    shippingAddr: stack.addresses.shipping,
    ordersAddr: stack.addresses.orders,
    jwtIssuer: stack.auth.env.JWT_ISSUER!,
    jwtAudience: stack.auth.env.JWT_AUDIENCE!,
    jwtPrivateKey: stack.auth.privateKeyPem,
    jwtKeyId: stack.auth.env.JWT_KEY_ID!,
    rpcTimeoutMs: 4_000,
  });
  const worker = await createSagaWorker({
    connection,
    namespace: 'default',
    taskQueue: stack.taskQueue,
    deps: { ...clients, payments: withCaptureOutage(clients.payments) },
    settings: { cancellationWindowMs: 10 * 60_000, compensationBudgetMs: 60_000 },
    source: { workflowBundle: env.bundle },
    shutdownGraceMs: 5_000,
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
    clients.close();
    await connection.close();
  };
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
  await stopWorker?.();
  await stack?.stop();
  await env?.close();
}, 60_000);

const user = () => `user-${randomBytes(4).toString('hex')}`;

/** Places an order (its capture fails) and waits until the saga has failed to capture twice. */
async function placeDuringOutage(u: string, sku: string) {
  const placed = await stack.clients.placeOrder(u, [{ sku, quantity: 1 }]);
  started.push(placed.id);
  await until(() => (failedCaptures.get(placed.id) ?? 0) >= 2);
  return placed;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dispatch = (id: string) =>
  stack.clients.carrier.markDispatched({ shipmentId: id }).catch((e: unknown) => e);
const shipment = async (id: string) =>
  (await stack.clients.shipping.getShipment({ shipmentId: id })).shipment!;
const payment = async (id: string) =>
  (await stack.clients.payments.getPayment({ paymentId: id })).payment!;
const reservation = async (id: string) =>
  (await stack.clients.reservations.getReservation({ reservationId: id })).reservation!;
/** What a MarkDispatched answered: [code, reason], or ['OK', the shipment's status]. */
const outcome = (r: unknown) =>
  r instanceof GrpcCallError
    ? [status[r.code], r.reason]
    : ['OK', ShipmentStatus[(r as { shipment?: { status: number } }).shipment?.status ?? 0]];

describe('payment provider outage at capture', () => {
  test('the shipment cannot be dispatched; a cancel voids, cancels the shipment and releases stock', async () => {
    const sku = await stack.clients.seedProduct(5);
    const u = user();
    const placed = await placeDuringOutage(u, sku);

    // The goods are booked but not released: the warehouse is refused.
    expect((await shipment(placed.id)).status).toBe(ShipmentStatus.SHIPMENT_STATUS_CREATED);
    expect(outcome(await dispatch(placed.id))).toEqual([
      'FAILED_PRECONDITION',
      'NOT_RELEASED_FOR_DISPATCH',
    ]);
    expect((await payment(placed.id)).status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);

    // The customer gives up: the capture in flight is abandoned and everything is undone.
    const cancelled = await stack.clients.cancelOrder(u, placed.id);
    expect([OrderStatus[cancelled.status], cancelled.cancellationReason]).toEqual([
      'ORDER_STATUS_CANCELLED',
      'CANCELLED_BY_CUSTOMER',
    ]);
    expect((await shipment(placed.id)).status).toBe(ShipmentStatus.SHIPMENT_STATUS_CANCELLED);
    expect((await payment(placed.id)).status).toBe(PaymentStatus.PAYMENT_STATUS_VOIDED);
    expect((await reservation(placed.id)).status).toBe(
      ReservationStatus.RESERVATION_STATUS_RELEASED,
    );
    expect(await stack.stock(sku)).toEqual({ onHand: 5, reserved: 0 });
    // A late dispatch attempt is refused as for any cancelled shipment.
    expect(outcome(await dispatch(placed.id))).toEqual([
      'FAILED_PRECONDITION',
      'SHIPMENT_CANCELLED',
    ]);
  });

  test('once the capture succeeds the shipment is released and can be dispatched', async () => {
    const sku = await stack.clients.seedProduct(4);
    const u = user();
    const placed = await placeDuringOutage(u, sku);
    expect(outcome(await dispatch(placed.id))).toEqual([
      'FAILED_PRECONDITION',
      'NOT_RELEASED_FOR_DISPATCH',
    ]);
    expect((await shipment(placed.id)).releaseTime).toBeUndefined();

    recovered.add(placed.id); // the provider is back
    const order = await stack.clients.waitOrder(u, placed.id);
    expect(OrderStatus[order.status]).toBe('ORDER_STATUS_CONFIRMED');
    expect((await payment(placed.id)).status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    const released = await shipment(placed.id);
    expect(released.status).toBe(ShipmentStatus.SHIPMENT_STATUS_CREATED);
    expect(released.releaseTime).toBeDefined();

    const res = await stack.clients.carrier.markDispatched({ shipmentId: placed.id });
    expect(res.shipment?.status).toBe(ShipmentStatus.SHIPMENT_STATUS_DISPATCHED);
    expect(await stack.stock(sku)).toEqual({ onHand: 3, reserved: 0 });
    if (process.env.RECORD_HISTORIES === '1')
      await recordHistory(
        'int-capture-outage-released',
        env.client.workflow.getHandle(orderWorkflowId(placed.id)),
      );
  });
});
