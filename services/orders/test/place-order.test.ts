import { OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import { quoteFor } from './support/fake-downstream';
import { fakeSaga, type FakeSaga } from './support/fake-saga';
import { codeAndReason, expectNoSecret, failure } from './support/expect';
import { captureLogs, placeRequest, startHarness, type Harness } from './harness';

let h: Harness;
let saga: FakeSaga;
const logs = captureLogs();

beforeAll(async () => {
  saga = fakeSaga();
  h = await startHarness('place', saga, { logger: logs.logger });
});
afterAll(() => h.stop());

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

test('prices the order from the catalog, adds the quote, stores it PENDING and starts its saga', async () => {
  const req = placeRequest({ paymentToken: 'tok_secret_visa' });
  const opts = await h.asUser('u-place');
  const { order } = await h.orders.placeOrder(req, {
    ...opts,
    metadata: { ...opts.metadata, traceparent: TRACEPARENT },
  });
  expect(order).toMatchObject({
    status: OrderStatus.ORDER_STATUS_PENDING,
    requestId: req.requestId,
    items: [
      {
        sku: 'MUG-1',
        quantity: 2,
        name: 'Mug',
        unitPrice: { currencyCode: 'EUR', amountMinor: '1299' },
        lineTotal: { currencyCode: 'EUR', amountMinor: '2598' },
      },
      {
        sku: 'TEE-1',
        quantity: 1,
        name: 'T-shirt',
        unitPrice: { currencyCode: 'EUR', amountMinor: '2500' },
        lineTotal: { currencyCode: 'EUR', amountMinor: '2500' },
      },
    ],
    subtotal: { currencyCode: 'EUR', amountMinor: '5098' },
    shippingCost: { currencyCode: 'EUR', amountMinor: quoteFor(2).toString() },
    total: { currencyCode: 'EUR', amountMinor: (5098n + quoteFor(2)).toString() },
    shippingAddress: req.shippingAddress,
    cancellationReason: '',
  });
  expect(Number(order!.createTime!.seconds)).toBeGreaterThan(Date.now() / 1000 - 60);
  expectNoSecret(order, 'tok_secret_visa');
  expect(saga.starts.filter((s) => s.orderId === order!.id)).toEqual([
    {
      orderId: order!.id,
      userId: 'u-place',
      items: [
        { sku: 'MUG-1', quantity: 2 },
        { sku: 'TEE-1', quantity: 1 },
      ],
      total: { currencyCode: 'EUR', amountMinor: order!.total!.amountMinor },
      shippingAddress: req.shippingAddress,
      paymentMethodId: expect.stringMatching(/^pm_/),
    },
  ]);
  // The token went to the payments vault (as the customer, keyed by the request id); the saga
  // and the orders table have only the payment method id.
  const start = saga.starts.find((s) => s.orderId === order!.id)!;
  expect(h.downstream.vaultCalls.at(-1)).toEqual({
    caller: 'service:orders',
    traceparent: TRACEPARENT,
    request: {
      customerId: 'u-place',
      vaultRequestId: req.requestId,
      paymentToken: 'tok_secret_visa',
    },
  });
  expect(h.downstream.vaulted.get(start.paymentMethodId)).toBe('tok_secret_visa');
  expectNoSecret(start, 'tok_secret_visa');
  const row = await h.prisma.order.findUniqueOrThrow({ where: { id: order!.id } });
  expect(row.paymentMethodId).toBe(start.paymentMethodId);
  expect(Object.values(row).map(String).join('|')).not.toContain('tok_');
  // Downstream calls carry orders' own service identity and the caller's trace.
  expect(h.downstream.catalogCalls.at(-1)).toEqual({
    caller: 'service:orders',
    traceparent: TRACEPARENT,
    skus: ['MUG-1', 'TEE-1'],
  });
  expect(h.downstream.quoteCalls.at(-1)).toMatchObject({
    caller: 'service:orders',
    traceparent: TRACEPARENT,
    request: { currencyCode: 'EUR' },
  });
  const again = await h.orders.getOrder({ orderId: order!.id }, opts);
  expect(again.order).toEqual(order);
});

test('an unserved destination (AQ) is accepted with shipping 0: the saga cancels it later', async () => {
  const req = placeRequest({
    shippingAddress: {
      recipient: 'Base',
      lines: ['Station 1'],
      city: 'McMurdo',
      postalCode: 'AQ-1',
      countryCode: 'AQ',
    },
  });
  const { order } = await h.orders.placeOrder(req, await h.asUser('u-aq'));
  expect(order).toMatchObject({
    status: OrderStatus.ORDER_STATUS_PENDING,
    shippingCost: { currencyCode: 'EUR', amountMinor: '0' },
    total: order!.subtotal,
  });
  expect(saga.starts.some((s) => s.orderId === order!.id)).toBe(true);
});

describe('refused requests store nothing and call nobody', () => {
  const refused = async (req: ReturnType<typeof placeRequest>) => {
    const calls = h.downstream.catalogCalls.length;
    const e = await failure(h.orders.placeOrder(req, await h.asUser('u-invalid')));
    expect(h.downstream.catalogCalls.length).toBe(calls);
    expect(await h.store.findByRequest('u-invalid', req.requestId)).toBeUndefined();
    return e;
  };

  test('zero quantity: a violation on that line', async () => {
    const e = await refused(
      placeRequest({
        items: [
          { sku: 'MUG-1', quantity: 1 },
          { sku: 'TEE-1', quantity: 0 },
        ],
      }),
    );
    expect(codeAndReason(e)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
    expect(e.violations.map((v) => v.field)).toEqual(['items[1].quantity']);
  });

  test('1000 lines: one violation on items', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }));
    const e = await refused(placeRequest({ items }));
    expect(codeAndReason(e)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
    expect(e.violations.map((v) => v.field)).toEqual(['items']);
  });

  test('every bad field is reported at once, with JSON field paths, and never echoes the token', async () => {
    const e = await refused({
      requestId: 'no spaces allowed',
      items: [
        { sku: 'mug-1', quantity: 1 },
        { sku: 'TEE-1', quantity: 1001 },
        { sku: 'TEE-1', quantity: 1 },
      ],
      shippingAddress: {
        recipient: ' ',
        lines: ['a', 'b', 'c', 'd'],
        city: 'x'.repeat(101),
        postalCode: '!',
        countryCode: 'UK',
      },
      paymentToken: 'tok visa!',
    });
    expect(e.violations.map((v) => v.field).sort()).toEqual(
      [
        'requestId',
        'items[0].sku',
        'items[1].quantity',
        'items[2].sku',
        'shippingAddress.recipient',
        'shippingAddress.lines',
        'shippingAddress.city',
        'shippingAddress.postalCode',
        'shippingAddress.countryCode',
        'paymentToken',
      ].sort(),
    );
    expect(JSON.stringify(e.violations) + e.message).not.toContain('tok visa!');
  });

  test('no items, no address', async () => {
    const e = await refused(placeRequest({ items: [], shippingAddress: undefined }));
    expect(e.violations.map((v) => v.field)).toEqual(['items', 'shippingAddress']);
  });
});

describe('catalog answers', () => {
  test('a sku the catalog does not know: PRODUCT_UNAVAILABLE naming it', async () => {
    const req = placeRequest({
      items: [
        { sku: 'MUG-1', quantity: 1 },
        { sku: 'FOREIGN-9', quantity: 1 },
      ],
    });
    const e = await failure(h.orders.placeOrder(req, await h.asUser('u-cat')));
    expect(codeAndReason(e)).toEqual(['FAILED_PRECONDITION', 'PRODUCT_UNAVAILABLE']);
    expect(e.domain).toBe('orders.meshcart');
    expect(e.metadata).toEqual({ sku: 'FOREIGN-9', skus: 'FOREIGN-9' });
    expect(e.violations.map((v) => v.field)).toEqual(['items[1].sku']);
    expect(await h.store.findByRequest('u-cat', req.requestId)).toBeUndefined();
  });

  test('an inactive product: the same reason', async () => {
    const e = await failure(
      h.orders.placeOrder(
        placeRequest({ items: [{ sku: 'OLD-1', quantity: 1 }] }),
        await h.asUser('u-cat'),
      ),
    );
    expect(codeAndReason(e)).toEqual(['FAILED_PRECONDITION', 'PRODUCT_UNAVAILABLE']);
    expect(e.metadata.sku).toBe('OLD-1');
  });

  test('products in two currencies: MIXED_CURRENCY', async () => {
    const e = await failure(
      h.orders.placeOrder(
        placeRequest({
          items: [
            { sku: 'MUG-1', quantity: 1 },
            { sku: 'USD-1', quantity: 1 },
          ],
        }),
        await h.asUser('u-cat'),
      ),
    );
    expect(codeAndReason(e)).toEqual(['FAILED_PRECONDITION', 'MIXED_CURRENCY']);
  });

  test('a catalog outage is transient: UNAVAILABLE, and nothing is stored', async () => {
    const req = placeRequest();
    h.downstream.catalogDown = true;
    try {
      const e = await failure(h.orders.placeOrder(req, await h.asUser('u-cat')));
      expect(codeAndReason(e)).toEqual(['UNAVAILABLE', 'DEPENDENCY_UNAVAILABLE']);
    } finally {
      h.downstream.catalogDown = false;
    }
    expect(await h.store.findByRequest('u-cat', req.requestId)).toBeUndefined();
  });
});

test('no payment token of this file ever reached a log line (debug level)', () => {
  expect(logs.text()).toContain('order placed');
  for (const token of ['tok_secret_visa', 'tok_visa', 'tok visa!'])
    expect(logs.text()).not.toContain(token);
});
