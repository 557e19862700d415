/** The database side: migrations in step with schema.prisma, and the connection dying mid-call. */
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { expectNoSchemaDrift } from '@meshcart/kit';
import { killConnectionMidCall } from '@meshcart/kit/testkit';
import { OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import { fakeSaga } from './support/fake-saga';
import { progress } from './support/progress';
import { placeRequest, startHarness, type Harness } from './harness';

test('prisma/schema.prisma and the SQL migrations describe the same database', async () => {
  await expectNoSchemaDrift(path.resolve(__dirname, '..'));
});

describe('the database connection killed mid-call', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('db', fakeSaga());
  });
  afterAll(() => h?.stop());

  test('RecordOrderProgress answers UNAVAILABLE DB_UNAVAILABLE (retryable), never INTERNAL; the retry applies once', async () => {
    const asUser = await h.asUser('u-db');
    const { order } = await h.orders.placeOrder(placeRequest(), asUser);
    const worker = await h.asSagaWorker();
    const req = progress(order!.id, 1, { status: OrderStatus.ORDER_STATUS_CONFIRMED });
    const e = await killConnectionMidCall(
      h.db,
      'SELECT id FROM orders WHERE id = ? FOR UPDATE',
      [order!.id],
      () => h.saga.recordOrderProgress(req, worker),
    );
    expect(e).toMatchObject({ code: status.UNAVAILABLE, reason: 'DB_UNAVAILABLE' });
    const before = await h.orders.getOrder({ orderId: order!.id }, asUser);
    expect(before.order?.status).toBe(OrderStatus.ORDER_STATUS_PENDING);
    const retried = await h.saga.recordOrderProgress(req, worker);
    expect([retried.applied, retried.order?.status]).toEqual([
      true,
      OrderStatus.ORDER_STATUS_CONFIRMED,
    ]);
  });
});
