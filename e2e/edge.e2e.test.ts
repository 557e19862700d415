/**
 * End to end through the JSON edge only (what a frontend sees): the platform is started the
 * way `npm start` starts it (real MariaDB, real Temporal, real services, worker and edge).
 * Admin setup (stock levels) goes through the admin gRPC API with an ops token, as an operator
 * would; every assertion is made over HTTP.
 */
import { InventoryAdminServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import { createClient, createTokenSigner } from '@meshcart/kit';
import { edgeClient, reasonOf, violatedFields } from './http-client';
import { startE2EStack } from './stack-fixture';

jest.setTimeout(240_000);

type Stack = Awaited<ReturnType<typeof startE2EStack>>;
type Order = {
  id: string;
  status: string;
  cancellationReason: string;
  total: { amountMinor: string; currencyCode: string };
  paymentStatus: string;
  shipmentStatus: string;
};
type Product = {
  sku: string;
  price: { amountMinor: string; currencyCode: string };
  active: boolean;
  category: string;
};

let stack: Stack;
let api: ReturnType<typeof edgeClient>;
let setStock: (sku: string, onHand: number) => Promise<void>;
let alice: string;
let bob: string;
let products: Product[] = [];

const address = (countryCode = 'DE') => ({
  recipient: 'Ada Lovelace',
  lines: ['12 Analytical Street'],
  city: 'Berlin',
  postalCode: '10115',
  countryCode,
});
let seq = 0;
const requestId = () => `e2e-${Date.now().toString(36)}-${seq++}`;

async function register(email: string): Promise<string> {
  const reg = await api.post('/v1/users', {
    email,
    password: 'correct horse battery',
    displayName: 'E2E',
  });
  expect(reg.status).toBe(200);
  const login = await api.post<{ accessToken: string; expireTime: string }>('/v1/sessions', {
    email,
    password: 'correct horse battery',
  });
  expect(login.status).toBe(200);
  expect(login.body.accessToken).toMatch(/^ey/);
  return login.body.accessToken;
}

async function available(sku: string): Promise<number> {
  const r = await api.get<{ sku: string; available: number }>(`/v1/stock/${sku}`);
  expect(r.status).toBe(200);
  return r.body.available;
}

async function place(
  token: string,
  items: { sku: string; quantity: number }[],
  paymentToken = 'tok_visa',
  country = 'DE',
): Promise<Order> {
  const r = await api.post<{ order: Order }>(
    '/v1/orders',
    { requestId: requestId(), items, shippingAddress: address(country), paymentToken },
    token,
  );
  expect(r.status).toBe(200);
  expect(r.body.order.status).toBe('ORDER_STATUS_PENDING');
  return r.body.order;
}

async function settle(
  token: string,
  id: string,
  until: (o: Order) => boolean = (o) => o.status !== 'ORDER_STATUS_PENDING',
): Promise<Order> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const r = await api.get<{ order: Order }>(`/v1/orders/${id}`, token);
    expect(r.status).toBe(200);
    if (until(r.body.order)) return r.body.order;
    if (Date.now() > deadline) throw new Error(`order ${id} still ${r.body.order.status}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

beforeAll(async () => {
  stack = await startE2EStack();
  api = edgeClient(stack.edgeUrl);
  const signer = await createTokenSigner({
    issuer: 'meshcart',
    audience: 'meshcart',
    privateKeyPem: stack.env.JWT_PRIVATE_KEY!,
    keyId: stack.env.JWT_KEY_ID!,
  });
  const admin = createClient(InventoryAdminServiceService, stack.addresses.inventory, {
    caller: 'ops',
    token: async () =>
      (await signer.sign({ subject: 'ops:e2e', roles: ['admin'], ttlSeconds: 600 })).token,
  });
  setStock = async (sku, onHand) => void (await admin.setStock({ sku, onHand, note: 'e2e' }));
  alice = await register(`alice-${Date.now()}@example.com`);
  bob = await register(`bob-${Date.now()}@example.com`);
});

afterAll(async () => {
  await stack?.stop();
});

afterEach(() => {
  const state = expect.getState();
  if (state.assertionCalls > 0 && state.suppressedErrors.length > 0)
    process.stdout.write(stack.logs().slice(-20_000));
});

test('lists the seeded catalog page by page, in sku order, with no duplicates', async () => {
  let token = '';
  const seen: Product[] = [];
  do {
    const r = await api.get<{ products: Product[]; nextPageToken: string }>(
      `/v1/products?pageSize=7${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.products.length).toBeLessThanOrEqual(7);
    seen.push(...r.body.products);
    token = r.body.nextPageToken;
  } while (token);
  expect(seen.length).toBeGreaterThanOrEqual(20);
  expect(new Set(seen.map((p) => p.sku)).size).toBe(seen.length);
  expect(seen.map((p) => p.sku)).toEqual([...seen.map((p) => p.sku)].sort());
  expect(new Set(seen.map((p) => p.category)).size).toBeGreaterThanOrEqual(4);
  products = seen;
  const one = await api.get<{ product: Product }>(`/v1/products/${seen[0]!.sku}`);
  expect(one.status).toBe(200);
  expect(typeof one.body.product.price.amountMinor).toBe('string');
  expect((await api.get('/v1/products/NO-SUCH-SKU')).status).toBe(404);
});

test('tok_visa: CONFIRMED, stock down by the quantity', async () => {
  const sku = products[0]!.sku;
  await setStock(sku, 40);
  const order = await place(alice, [{ sku, quantity: 2 }]);
  const done = await settle(alice, order.id);
  expect(done.status).toBe('ORDER_STATUS_CONFIRMED');
  expect(done.paymentStatus).toBe('PAYMENT_STATUS_CAPTURED');
  expect(done.shipmentStatus).toBe('SHIPMENT_STATUS_CREATED');
  expect(Number(done.total.amountMinor)).toBeGreaterThanOrEqual(
    2 * Number(products[0]!.price.amountMinor),
  );
  expect(await available(sku)).toBe(38);
});

test('tok_decline: CANCELLED PAYMENT_DECLINED, stock unchanged', async () => {
  const sku = products[1]!.sku;
  await setStock(sku, 10);
  const done = await settle(alice, (await place(alice, [{ sku, quantity: 3 }], 'tok_decline')).id);
  expect([done.status, done.cancellationReason]).toEqual([
    'ORDER_STATUS_CANCELLED',
    'PAYMENT_DECLINED',
  ]);
  expect(await available(sku)).toBe(10);
});

test('tok_flaky: CONFIRMED after the provider recovers', async () => {
  const sku = products[2]!.sku;
  await setStock(sku, 10);
  const done = await settle(alice, (await place(alice, [{ sku, quantity: 1 }], 'tok_flaky')).id);
  expect(done.status).toBe('ORDER_STATUS_CONFIRMED');
  expect(await available(sku)).toBe(9);
});

test('country AQ: CANCELLED DESTINATION_NOT_SERVED, payment voided, stock restored', async () => {
  const sku = products[3]!.sku;
  await setStock(sku, 10);
  const done = await settle(
    alice,
    (await place(alice, [{ sku, quantity: 4 }], 'tok_visa', 'AQ')).id,
  );
  expect([done.status, done.cancellationReason]).toEqual([
    'ORDER_STATUS_CANCELLED',
    'DESTINATION_NOT_SERVED',
  ]);
  expect(done.paymentStatus).toBe('PAYMENT_STATUS_VOIDED');
  expect(await available(sku)).toBe(10);
});

test('out of stock: CANCELLED OUT_OF_STOCK', async () => {
  const sku = products[4]!.sku;
  await setStock(sku, 1);
  const done = await settle(alice, (await place(alice, [{ sku, quantity: 2 }])).id);
  expect([done.status, done.cancellationReason]).toEqual([
    'ORDER_STATUS_CANCELLED',
    'OUT_OF_STOCK',
  ]);
  expect(await available(sku)).toBe(1);
});

test('a race for scarce stock: exactly the stock is sold, never more', async () => {
  const sku = products[5]!.sku;
  await setStock(sku, 3);
  const orders = await Promise.all(
    Array.from({ length: 8 }, () => place(alice, [{ sku, quantity: 1 }])),
  );
  const done = await Promise.all(orders.map((o) => settle(alice, o.id)));
  expect(done.filter((o) => o.status === 'ORDER_STATUS_CONFIRMED')).toHaveLength(3);
  expect(done.filter((o) => o.cancellationReason === 'OUT_OF_STOCK')).toHaveLength(5);
  expect(await available(sku)).toBe(0);
});

test('customer cancel after confirmation refunds and returns the stock', async () => {
  const sku = products[6]!.sku;
  await setStock(sku, 10);
  const confirmed = await settle(alice, (await place(alice, [{ sku, quantity: 2 }])).id);
  expect(confirmed.status).toBe('ORDER_STATUS_CONFIRMED');
  const cancel = await api.post(`/v1/orders/${confirmed.id}:cancel`, {}, alice);
  expect(cancel.status).toBe(200);
  const done = await settle(alice, confirmed.id, (o) => o.status === 'ORDER_STATUS_CANCELLED');
  expect(done.cancellationReason).toBe('CANCELLED_BY_CUSTOMER');
  expect(done.paymentStatus).toBe('PAYMENT_STATUS_REFUNDED');
  expect(await available(sku)).toBe(10);
});

test('errors: 401 without a token, 404 for another user’s order, 400 with field violations, 409, 413', async () => {
  const noToken = await api.post('/v1/orders', {
    requestId: requestId(),
    items: [{ sku: products[0]!.sku, quantity: 1 }],
    shippingAddress: address(),
    paymentToken: 'tok_visa',
  });
  expect(noToken.status).toBe(401);
  expect(reasonOf(noToken.body)).toBe('TOKEN_MISSING');
  const forged = await api.get('/v1/orders', 'not-a-jwt');
  expect(forged.status).toBe(401);

  const mine = await place(alice, [{ sku: products[0]!.sku, quantity: 1 }]);
  const theirs = await api.get(`/v1/orders/${mine.id}`, bob);
  expect(theirs.status).toBe(404);
  const bobList = await api.get<{ orders: Order[] }>('/v1/orders', bob);
  expect(bobList.status).toBe(200);
  expect(bobList.body.orders).toHaveLength(0);

  const bad = await api.post(
    '/v1/orders',
    {
      requestId: requestId(),
      items: [{ sku: products[0]!.sku, quantity: 0 }],
      shippingAddress: address(),
      paymentToken: 'tok_visa',
    },
    alice,
  );
  expect(bad.status).toBe(400);
  expect(violatedFields(bad.body)).toContain('items[0].quantity');
  const badEmail = await api.post('/v1/users', {
    email: 'not-an-email',
    password: 'correct horse battery',
    displayName: 'X',
  });
  expect(badEmail.status).toBe(400);
  expect(violatedFields(badEmail.body)).toContain('email');
  const malformed = await api.raw('POST', '/v1/orders', {
    rawBody: '{"requestId": ',
    token: alice,
  });
  expect(malformed.status).toBe(400);

  const email = `carol-${Date.now()}@example.com`;
  const first = await api.post<{ user: { id: string } }>('/v1/users', {
    email,
    password: 'correct horse battery',
    displayName: 'C',
  });
  expect(first.status).toBe(200);
  // An exact repeat is a retry (the email is the idempotency key): same user, no second account.
  const retry = await api.post<{ user: { id: string } }>('/v1/users', {
    email: email.toUpperCase(),
    password: 'correct horse battery',
    displayName: 'C',
  });
  expect([retry.status, retry.body.user.id]).toEqual([200, first.body.user.id]);
  const dup = await api.post('/v1/users', {
    email,
    password: 'another password',
    displayName: 'C',
  });
  expect(dup.status).toBe(409);
  expect(reasonOf(dup.body)).toBe('EMAIL_TAKEN');
  const wrongPassword = await api.post('/v1/sessions', { email, password: 'wrong password!!' });
  expect(wrongPassword.status).toBe(401);

  const huge = await api.raw('POST', '/v1/orders', {
    rawBody: JSON.stringify({ requestId: 'x', paymentToken: 'x'.repeat(2 * 1024 * 1024) }),
    token: alice,
  });
  expect(huge.status).toBe(413);
});

test('serves a valid OpenAPI 2 document covering every public route', async () => {
  const r = await api.get<{ swagger: string; paths: Record<string, Record<string, unknown>> }>(
    '/openapi.json',
  );
  expect(r.status).toBe(200);
  expect(r.body.swagger).toBe('2.0');
  const routes = Object.entries(r.body.paths).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
  expect(routes.sort()).toEqual(
    [
      'POST /v1/users',
      'POST /v1/sessions',
      'GET /v1/products',
      'GET /v1/products/{sku}',
      'GET /v1/stock/{sku}',
      'POST /v1/orders',
      'GET /v1/orders/{orderId}',
      'GET /v1/orders',
      'POST /v1/orders/{orderId}:cancel',
    ].sort(),
  );
});
