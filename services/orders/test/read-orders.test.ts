import { randomUUID } from 'node:crypto';
import type { Order } from '@meshcart/proto/shop/orders/v1/orders';
import { fakeSaga } from './support/fake-saga';
import { codeAndReason, expectNoSecret, failure } from './support/expect';
import { placeRequest, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('read', fakeSaga());
});
afterAll(() => h.stop());

/** Reads every page; returns the ids in the order served and the page sizes. */
async function allPages(
  userId: string,
  pageSize: number,
): Promise<{ orders: Order[]; sizes: number[] }> {
  const opts = await h.asUser(userId);
  const orders: Order[] = [];
  const sizes: number[] = [];
  let pageToken = '';
  do {
    const page = await h.orders.listOrders({ pageSize, pageToken }, opts);
    orders.push(...page.orders);
    sizes.push(page.orders.length);
    pageToken = page.nextPageToken;
  } while (pageToken !== '' && sizes.length < 100);
  return { orders, sizes };
}

const newestFirst = (a: Order, b: Order): number =>
  Number(b.createTime!.seconds) * 1e9 +
    b.createTime!.nanos -
    (Number(a.createTime!.seconds) * 1e9 + a.createTime!.nanos) || (b.id > a.id ? 1 : -1);

test("GetOrder: own order yes, another user's order is NOT_FOUND like a missing one", async () => {
  const owner = await h.asUser('u-read-owner');
  const { order } = await h.orders.placeOrder(
    placeRequest({ paymentToken: 'tok_read_secret' }),
    owner,
  );
  const got = await h.orders.getOrder({ orderId: order!.id }, owner);
  expect(got.order).toEqual(order);
  expectNoSecret(got, 'tok_read_secret');
  const other = await failure(
    h.orders.getOrder({ orderId: order!.id }, await h.asUser('u-read-other')),
  );
  const missing = await failure(h.orders.getOrder({ orderId: randomUUID() }, owner));
  expect(codeAndReason(other)).toEqual(['NOT_FOUND', 'ORDER_NOT_FOUND']);
  expect(codeAndReason(missing)).toEqual(codeAndReason(other));
  expect(codeAndReason(await failure(h.orders.getOrder({ orderId: '' }, owner)))).toEqual([
    'INVALID_ARGUMENT',
    'INVALID_ARGUMENT',
  ]);
});

test('ListOrders pages through 25 orders newest first, each exactly once, never showing others', async () => {
  const opts = await h.asUser('u-list');
  const placed: string[] = [];
  for (let i = 0; i < 25; i++)
    placed.push(
      (await h.orders.placeOrder(placeRequest({ paymentToken: 'tok_list_secret' }), opts)).order!
        .id,
    );
  await h.orders.placeOrder(placeRequest(), await h.asUser('u-list-someone-else'));

  const { orders, sizes } = await allPages('u-list', 10);
  expect(sizes).toEqual([10, 10, 5]);
  expect(orders.map((o) => o.id)).toEqual([...orders].sort(newestFirst).map((o) => o.id));
  expect(new Set(orders.map((o) => o.id))).toEqual(new Set(placed));
  expect(orders[0]!.id).toBe(placed.at(-1)); // placed one after the other: the last one is the newest
  expectNoSecret(orders, 'tok_list_secret');

  expect((await allPages('u-list', 0)).sizes).toEqual([20, 5]); // 0 = the default of 20
  expect((await allPages('u-list', 1000)).sizes).toEqual([25]); // capped, and 25 fit
  expect((await allPages('u-list-nobody', 10)).sizes).toEqual([0]);
});

test('page size is capped at 100, and orders created in the same millisecond page exactly once', async () => {
  const userId = 'u-list-many';
  const { order } = await h.orders.placeOrder(placeRequest(), await h.asUser(userId));
  const template = await h.prisma.order.findUniqueOrThrow({ where: { id: order!.id } });
  const sameInstant = new Date();
  await h.prisma.order.createMany({
    data: Array.from({ length: 120 }, (_, i) => ({
      ...template,
      id: randomUUID(),
      requestId: `bulk-${i}`,
      createTime: sameInstant,
      shipLines: ['1 Road'],
    })),
  });
  const { orders, sizes } = await allPages(userId, 500);
  expect(sizes).toEqual([100, 21]);
  expect(new Set(orders.map((o) => o.id)).size).toBe(121);
  expect(orders.map((o) => o.id)).toEqual([...orders].sort(newestFirst).map((o) => o.id));
});

test('a page token not made by us, or a negative page size: INVALID_ARGUMENT on that field', async () => {
  const opts = await h.asUser('u-list-bad');
  for (const pageToken of ['garbage', Buffer.from('{"v":2}').toString('base64url')]) {
    const e = await failure(h.orders.listOrders({ pageSize: 0, pageToken }, opts));
    expect(codeAndReason(e)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
    expect(e.violations.map((v) => v.field)).toEqual(['pageToken']);
  }
  const e = await failure(h.orders.listOrders({ pageSize: -1, pageToken: '' }, opts));
  expect(e.violations.map((v) => v.field)).toEqual(['pageSize']);
});
