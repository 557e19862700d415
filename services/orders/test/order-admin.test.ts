/**
 * Customers see a customer-facing status text only; the saga's operator-facing detail is served
 * by OrderAdminService.GetOrderDetails to the admin role, and refused to everyone else.
 */
import { randomUUID } from 'node:crypto';
import { OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import { fakeSaga } from './support/fake-saga';
import { codeAndReason, expectNoSecret, failure } from './support/expect';
import { progress } from './support/progress';
import { placeRequest, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('admin', fakeSaga());
});
afterAll(() => h.stop());

const DETAIL =
  'saga stopped (PAYMENT_DECLINED); compensation failed: releaseReservation: UNAVAILABLE';

async function orderThatNeedsAttention(userId: string): Promise<string> {
  const { order } = await h.orders.placeOrder(placeRequest(), await h.asUser(userId));
  const res = await h.saga.recordOrderProgress(
    progress(order!.id, 1, {
      status: OrderStatus.ORDER_STATUS_NEEDS_ATTENTION,
      step: 'NEEDS_ATTENTION',
      statusDetail: DETAIL,
    }),
    await h.asSagaWorker(),
  );
  expect(res.applied).toBe(true);
  return order!.id;
}

test('customer GetOrder and ListOrders: a status message, no internal detail', async () => {
  const id = await orderThatNeedsAttention('u-admin-1');
  const opts = await h.asUser('u-admin-1');
  const { order } = await h.orders.getOrder({ orderId: id }, opts);
  expect(order!.status).toBe(OrderStatus.ORDER_STATUS_NEEDS_ATTENTION);
  expect(order!.statusDetail).toBe('');
  expect(order!.statusMessage).toBe('We are looking into a problem with your order');
  expectNoSecret(order, 'releaseReservation');
  const { orders } = await h.orders.listOrders({ pageSize: 10, pageToken: '' }, opts);
  expect(orders.map((o) => [o.id, o.statusDetail, o.statusMessage])).toEqual([
    [id, '', order!.statusMessage],
  ]);
  expectNoSecret(orders, 'UNAVAILABLE');
});

test('a cancelled order tells the customer why in their words', async () => {
  const opts = await h.asUser('u-admin-2');
  const { order } = await h.orders.placeOrder(placeRequest(), opts);
  expect(order!.statusMessage).toBe('We are processing your order');
  await h.saga.recordOrderProgress(
    progress(order!.id, 1, {
      status: OrderStatus.ORDER_STATUS_CANCELLED,
      cancellationReason: 'PAYMENT_DECLINED',
    }),
    await h.asSagaWorker(),
  );
  const got = await h.orders.getOrder({ orderId: order!.id }, opts);
  expect([got.order!.cancellationReason, got.order!.statusMessage]).toEqual([
    'PAYMENT_DECLINED',
    'Payment was declined',
  ]);
});

test('admin GetOrderDetails returns the detail of any user order', async () => {
  const id = await orderThatNeedsAttention('u-admin-3');
  const res = await h.admin.getOrderDetails({ orderId: id }, await h.asAdmin());
  expect(res).toMatchObject({ userId: 'u-admin-3', statusDetail: DETAIL, order: { id } });
  expect(res.order!.statusDetail).toBe(''); // the order itself is the customer's view
  const missing = await failure(
    h.admin.getOrderDetails({ orderId: randomUUID() }, await h.asAdmin()),
  );
  expect(codeAndReason(missing)).toEqual(['NOT_FOUND', 'ORDER_NOT_FOUND']);
});

test('GetOrderDetails refuses customers (even for their own order) and services', async () => {
  const id = await orderThatNeedsAttention('u-admin-4');
  const asCustomer = await failure(
    h.admin.getOrderDetails({ orderId: id }, await h.asUser('u-admin-4')),
  );
  expect(codeAndReason(asCustomer)[0]).toBe('PERMISSION_DENIED');
  const asService = await failure(h.admin.getOrderDetails({ orderId: id }, await h.asSagaWorker()));
  expect(codeAndReason(asService)[0]).toBe('PERMISSION_DENIED');
  const anonymous = await failure(h.admin.getOrderDetails({ orderId: id }));
  expect(codeAndReason(anonymous)).toEqual(['UNAUTHENTICATED', 'TOKEN_MISSING']);
});
