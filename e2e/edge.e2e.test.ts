/**
 * End to end through the JSON edge only (what a frontend sees): the platform is started the
 * way `npm start` starts it (real MariaDB, real Temporal, real services, worker and edge).
 * Admin setup (stock levels) goes through the admin gRPC API with an ops token, as an operator
 * would; every assertion is made over HTTP.
 */
import { Client, Connection } from '@temporalio/client';
import { InventoryAdminServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import { createClient, createTokenSigner } from '@meshcart/kit';
import { withConnection, withDatabase } from '@meshcart/kit/db';
import { SERVICES } from '../scripts/local-stack/ports';
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
/** Every order placed here: the last test scans their sagas' histories for card tokens. */
const placed: string[] = [];

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
  placed.push(r.body.order.id);
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

/** Every string in a value, byte arrays (payload data, ciphertext) read as latin1 text. */
function textsOf(v: unknown, out: string[] = []): string[] {
  if (v === null || v === undefined) return out;
  if (typeof v === 'string') out.push(v);
  else if (v instanceof Uint8Array) out.push(Buffer.from(v).toString('latin1'));
  else if (Array.isArray(v)) for (const x of v) textsOf(x, out);
  else if (v instanceof Date) out.push(v.toISOString());
  else if (typeof v === 'object') for (const x of Object.values(v)) textsOf(x, out);
  else out.push(String(v));
  return out;
}

test('no card token at rest: no `tok_` in any table of any service, nor in any saga history', async () => {
  expect(placed.length).toBeGreaterThan(5);
  // Let every saga finish, so its whole history is scanned.
  for (const id of placed) await settle(alice, id, () => true).catch(() => undefined);

  // Every table of every database of this run, every row, every column.
  const found: string[] = [];
  const rowsOf: Record<string, number> = {};
  for (const s of SERVICES) {
    const url = withDatabase(stack.adminUrl, `${stack.dbPrefix}${s}`);
    await withConnection(url, async (conn) => {
      const tables = (await conn.query('SHOW TABLES')) as Record<string, string>[];
      for (const t of tables.map((r) => Object.values(r)[0]!)) {
        const rows = (await conn.query(`SELECT * FROM \`${t}\``)) as unknown[];
        rowsOf[`${s}.${t}`] = rows.length;
        for (const text of textsOf(rows))
          if (text.includes('tok_')) found.push(`${s}.${t}: ${text.slice(0, 80)}`);
      }
    });
  }
  expect(found).toEqual([]);
  // The scan saw the data: orders stored, payment methods vaulted (as ciphertext).
  expect(rowsOf['orders.orders']).toBeGreaterThanOrEqual(placed.length);
  expect(rowsOf['payments.payment_methods']).toBeGreaterThanOrEqual(placed.length);

  // Every event of every saga: inputs, activity arguments and results, failures.
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection, namespace: 'default' });
    let events = 0;
    for (const id of placed) {
      const history = await client.workflow.getHandle(`order-${id}`).fetchHistory();
      events += history.events?.length ?? 0;
      for (const text of textsOf(history))
        if (text.includes('tok_')) found.push(`order-${id}: ${text.slice(0, 120)}`);
    }
    expect(found).toEqual([]);
    expect(events).toBeGreaterThan(placed.length * 5);
    console.log(
      `[e2e] no tok_ in ${Object.keys(rowsOf).length} tables (${Object.values(rowsOf).reduce((a, b) => a + b, 0)} rows) nor in ${placed.length} saga histories (${events} events)`,
    );
  } finally {
    await connection.close();
  }
});
