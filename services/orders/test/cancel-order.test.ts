import { errors } from '@meshcart/kit';
import { OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { fakeSaga, type FakeSaga } from './support/fake-saga';
import { codeAndReason, expectNoSecret, failure } from './support/expect';
import { placeRequest, startHarness, type Harness } from './harness';
import { progress } from './support/progress';

let h: Harness;
let saga: FakeSaga;

beforeAll(async () => {
  saga = fakeSaga();
  h = await startHarness('cancel', saga);
});
afterAll(() => h.stop());
afterEach(() => {
  saga.onCancel = async () => undefined;
});

async function placed(userId: string) {
  const opts = await h.asUser(userId);
  const { order } = await h.orders.placeOrder(
    placeRequest({ paymentToken: 'tok_cancel_secret' }),
    opts,
  );
  return { order: order!, opts };
}

/** What the saga records when it ends an order cancelled. */
const recordCancelled = async (orderId: string, sequence: number) =>
  h.saga.recordOrderProgress(
    progress(orderId, sequence, {
      status: OrderStatus.ORDER_STATUS_CANCELLED,
      cancellationReason: 'CANCELLED_BY_CUSTOMER',
      paymentStatus: PaymentStatus.PAYMENT_STATUS_VOIDED,
      step: 'CANCELLED',
    }),
    await h.asSagaWorker(),
  );

test('accepted by the saga, which records the cancellation before answering: the order comes back CANCELLED', async () => {
  const { order, opts } = await placed('u-cancel-ok');
  saga.onCancel = async (orderId) => void (await recordCancelled(orderId, 5));
  const res = await h.orders.cancelOrder({ orderId: order.id }, opts);
  expect(saga.cancels).toContain(order.id);
  expect(res.order).toMatchObject({
    id: order.id,
    status: OrderStatus.ORDER_STATUS_CANCELLED,
    cancellationReason: 'CANCELLED_BY_CUSTOMER',
    paymentStatus: PaymentStatus.PAYMENT_STATUS_VOIDED,
  });
  expectNoSecret(res, 'tok_cancel_secret');
});

test('accepted, compensation still running: the order comes back as stored (PENDING)', async () => {
  const { order, opts } = await placed('u-cancel-async');
  const res = await h.orders.cancelOrder({ orderId: order.id }, opts);
  expect(res.order!.status).toBe(OrderStatus.ORDER_STATUS_PENDING);
  expect(saga.cancels).toContain(order.id);
});

test('refused by the saga (ALREADY_DISPATCHED): FAILED_PRECONDITION with that reason, order untouched', async () => {
  const { order, opts } = await placed('u-cancel-late');
  saga.onCancel = async () => {
    throw errors.failedPrecondition('ALREADY_DISPATCHED');
  };
  const e = await failure(h.orders.cancelOrder({ orderId: order.id }, opts));
  expect(codeAndReason(e)).toEqual(['FAILED_PRECONDITION', 'ALREADY_DISPATCHED']);
  expect((await h.orders.getOrder({ orderId: order.id }, opts)).order).toEqual(order);
});

test('an already cancelled order is returned unchanged without asking the saga', async () => {
  const { order, opts } = await placed('u-cancel-twice');
  const cancelled = (await recordCancelled(order.id, 1)).order;
  const before = saga.cancels.length;
  const res = await h.orders.cancelOrder({ orderId: order.id }, opts);
  expect(res.order).toEqual(cancelled);
  expect(saga.cancels.length).toBe(before);
});

test('the saga ended the order itself meanwhile (window closed, order CANCELLED): that order is the answer', async () => {
  const { order, opts } = await placed('u-cancel-race');
  saga.onCancel = async (orderId) => {
    await recordCancelled(orderId, 9);
    throw errors.failedPrecondition('CANCELLATION_WINDOW_CLOSED');
  };
  const res = await h.orders.cancelOrder({ orderId: order.id }, opts);
  expect(res.order!.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
});

test('the saga unreachable: UNAVAILABLE (safe to retry)', async () => {
  const { order, opts } = await placed('u-cancel-down');
  saga.onCancel = async () => {
    throw errors.unavailable('SAGA_UNAVAILABLE');
  };
  expect(codeAndReason(await failure(h.orders.cancelOrder({ orderId: order.id }, opts)))).toEqual([
    'UNAVAILABLE',
    'SAGA_UNAVAILABLE',
  ]);
});

test("another user's order: NOT_FOUND, and the saga is never asked", async () => {
  const { order } = await placed('u-cancel-owner');
  const before = saga.cancels.length;
  const e = await failure(
    h.orders.cancelOrder({ orderId: order.id }, await h.asUser('u-cancel-intruder')),
  );
  expect(codeAndReason(e)).toEqual(['NOT_FOUND', 'ORDER_NOT_FOUND']);
  expect(saga.cancels.length).toBe(before);
});

test('an unknown id: NOT_FOUND; no id: INVALID_ARGUMENT on orderId', async () => {
  const opts = await h.asUser('u-cancel-none');
  expect(
    codeAndReason(
      await failure(
        h.orders.cancelOrder({ orderId: '00000000-0000-4000-8000-000000000000' }, opts),
      ),
    ),
  ).toEqual(['NOT_FOUND', 'ORDER_NOT_FOUND']);
  const e = await failure(h.orders.cancelOrder({ orderId: '' }, opts));
  expect(codeAndReason(e)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
  expect(e.violations.map((v) => v.field)).toEqual(['orderId']);
});
