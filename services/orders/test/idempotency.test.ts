import { errors } from '@meshcart/kit';
import { OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import { fakeSaga, type FakeSaga } from './support/fake-saga';
import { codeAndReason, failure } from './support/expect';
import { captureLogs, placeRequest, startHarness, type Harness } from './harness';

let h: Harness;
let saga: FakeSaga;
const logs = captureLogs();

beforeAll(async () => {
  saga = fakeSaga();
  h = await startHarness('idem', saga, { logger: logs.logger });
});
afterAll(() => h.stop());

const countOrders = (userId: string) => h.prisma.order.count({ where: { userId } });

test('the same request_id twice returns the same order and (re)starts the same saga input', async () => {
  const req = placeRequest();
  const opts = await h.asUser('u-repeat');
  const first = await h.orders.placeOrder(req, opts);
  const second = await h.orders.placeOrder(req, opts);
  expect(second).toEqual(first);
  expect(await countOrders('u-repeat')).toBe(1);
  const starts = saga.starts.filter((s) => s.orderId === first.order!.id);
  // The repeat asks again (it may follow a crash between insert and start); the gateway makes that a no-op.
  expect(starts).toHaveLength(2);
  expect(starts[1]).toEqual(starts[0]);
});

test('a repeat answers from the database: no catalog call, even when the catalog is down', async () => {
  const req = placeRequest();
  const opts = await h.asUser('u-repeat-down');
  const first = await h.orders.placeOrder(req, opts);
  const calls = h.downstream.catalogCalls.length;
  h.downstream.catalogDown = true;
  try {
    expect(await h.orders.placeOrder(req, opts)).toEqual(first);
  } finally {
    h.downstream.catalogDown = false;
  }
  expect(h.downstream.catalogCalls.length).toBe(calls);
});

test('items in another order are the same request', async () => {
  const req = placeRequest();
  const opts = await h.asUser('u-reorder');
  const first = await h.orders.placeOrder(req, opts);
  const again = await h.orders.placeOrder({ ...req, items: [...req.items].reverse() }, opts);
  expect(again.order!.id).toBe(first.order!.id);
});

test.each([
  ['other items', { items: [{ sku: 'MUG-1', quantity: 3 }] }],
  [
    'another quantity',
    {
      items: [
        { sku: 'MUG-1', quantity: 2 },
        { sku: 'TEE-1', quantity: 2 },
      ],
    },
  ],
  [
    'another address',
    {
      shippingAddress: {
        recipient: 'Someone Else',
        lines: ['1 Road'],
        city: 'Paris',
        postalCode: '75001',
        countryCode: 'FR',
      },
    },
  ],
  ['another payment token', { paymentToken: 'tok_decline' }],
])('the same request_id with %s: ALREADY_EXISTS IDEMPOTENCY_KEY_REUSED', async (_what, change) => {
  const req = placeRequest();
  const opts = await h.asUser('u-reuse');
  const { order } = await h.orders.placeOrder(req, opts);
  const e = await failure(h.orders.placeOrder({ ...req, ...change }, opts));
  expect(codeAndReason(e)).toEqual(['ALREADY_EXISTS', 'IDEMPOTENCY_KEY_REUSED']);
  expect((await h.orders.getOrder({ orderId: order!.id }, opts)).order).toEqual(order);
});

test('request ids are per user: another user with the same id gets an order of their own', async () => {
  const req = placeRequest();
  const a = await h.orders.placeOrder(req, await h.asUser('u-key-a'));
  const b = await h.orders.placeOrder(req, await h.asUser('u-key-b'));
  expect(b.order!.id).not.toBe(a.order!.id);
});

test('concurrent duplicates create one order and all get it', async () => {
  const req = placeRequest();
  const opts = await h.asUser('u-race');
  const answers = await Promise.all(
    Array.from({ length: 8 }, () => h.orders.placeOrder(req, opts)),
  );
  expect(new Set(answers.map((a) => a.order!.id)).size).toBe(1);
  expect(await countOrders('u-race')).toBe(1);
});

test('once the saga moved the order on, a repeat returns it without starting anything', async () => {
  const req = placeRequest();
  const opts = await h.asUser('u-later');
  const { order } = await h.orders.placeOrder(req, opts);
  await h.saga.recordOrderProgress(
    {
      orderId: order!.id,
      sequence: '1',
      status: OrderStatus.ORDER_STATUS_CONFIRMED,
      cancellationReason: '',
      paymentStatus: 0,
      shipmentStatus: 0,
      step: 'CONFIRMED',
      statusDetail: '',
    },
    await h.asSagaWorker(),
  );
  const starts = saga.starts.length;
  const again = await h.orders.placeOrder(req, opts);
  expect(again.order!.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
  expect(saga.starts.length).toBe(starts);
});

test('a failed saga start leaves the order PENDING; the client repeat starts it', async () => {
  const req = placeRequest();
  const opts = await h.asUser('u-crash');
  const start = saga.start;
  saga.start = async () => {
    throw errors.unavailable('SAGA_UNAVAILABLE'); // what the Temporal gateway throws when the server is down
  };
  try {
    const e = await failure(h.orders.placeOrder(req, opts));
    expect(codeAndReason(e)).toEqual(['UNAVAILABLE', 'SAGA_UNAVAILABLE']);
  } finally {
    saga.start = start;
  }
  const stored = await h.store.findByRequest('u-crash', req.requestId);
  expect(stored?.order.status).toBe('PENDING');
  const { order } = await h.orders.placeOrder(req, opts);
  expect(order!.id).toBe(stored!.order.id);
  expect(saga.starts.filter((s) => s.orderId === order!.id)).toHaveLength(1);
});

test('logs name failed saga starts but never a payment token', () => {
  expect(logs.text()).toContain('saga start failed');
  for (const token of ['tok_visa', 'tok_decline']) expect(logs.text()).not.toContain(token);
});
