/**
 * A database outage seen from the JSON edge (issue #12, item 8): the platform runs on a private
 * MariaDB, customers keep calling four routes backed by four services' databases (users: login,
 * catalog: product, inventory: stock, orders: order status), and MariaDB is stopped under that
 * load, then started again.
 *
 * While it is down every answer is a clear 503 (UNAVAILABLE with a reason; 504 only when a
 * deadline ran out first), never a 500 and never a dropped connection; once it is back every
 * route answers 200 again within seconds, with no service restarted (the same processes, none
 * exited).
 */
import { randomBytes } from 'node:crypto';
import { startPrivateMariadb, type PrivateMariadb } from '@meshcart/kit/testkit';

import { edgeClient, orderRequest, reasonOf } from './http-client';
import { startE2EStack } from './stack-fixture';

jest.setTimeout(300_000);

type Stack = Awaited<ReturnType<typeof startE2EStack>>;
let mariadb: PrivateMariadb;
let stack: Stack;
const exits: string[] = [];

beforeAll(async () => {
  mariadb = await startPrivateMariadb();
  stack = await startE2EStack({ adminUrl: mariadb.adminUrl });
  stack.onUnexpectedExit((name, code) => exits.push(`${name} exited (${code})`));
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await mariadb?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('MariaDB stopped under load: 503 at the edge (never 500), then recovery without restarts', async () => {
  const api = edgeClient(stack.edgeUrl);
  const email = `outage-${randomBytes(4).toString('hex')}@example.test`;
  const password = 'correct horse battery';
  expect((await api.post('/v1/users', { email, password, displayName: 'Outage' })).status).toBe(
    200,
  );
  const login = await api.post<{ accessToken: string }>('/v1/sessions', { email, password });
  expect(login.status).toBe(200);
  const token = login.body.accessToken;
  const products = await api.get<{ products: { sku: string }[] }>('/v1/products?pageSize=1');
  const sku = products.body.products[0]!.sku;
  const placed = await api.post<{ order: { id: string } }>(
    '/v1/orders',
    orderRequest(sku, `outage-${randomBytes(6).toString('hex')}`),
    token,
  );
  expect(placed.status).toBe(200);
  const orderId = placed.body.order.id;

  const routes: Record<string, () => ReturnType<typeof api.get>> = {
    login: () => api.post('/v1/sessions', { email, password }),
    product: () => api.get(`/v1/products/${sku}`),
    stock: () => api.get(`/v1/stock/${sku}`),
    order: () => api.get(`/v1/orders/${orderId}`, token),
  };
  type Seen = { phase: string; route: string; status: number; reason?: string };
  const seen: Seen[] = [];
  let phase = 'up';
  let running = true;
  const loops = Object.entries(routes).map(async ([route, call]) => {
    while (running) {
      const r = await call().then(
        (a) => ({ status: a.status, reason: reasonOf(a.body) }),
        (e: Error) => ({ status: 0, reason: `${e.name}: ${e.message}` }),
      );
      seen.push({ phase, route, ...r });
      await sleep(100);
    }
  });

  await sleep(3_000);
  phase = 'down';
  await mariadb.halt();
  await sleep(8_000);
  phase = 'recovering';
  await mariadb.resume();
  // Every route must answer 200 again within 20 s of the database being back.
  const backBy = Date.now() + 20_000;
  const recovered = new Set<string>();
  while (recovered.size < Object.keys(routes).length && Date.now() < backBy) {
    for (const s of seen.slice(-20))
      if (s.phase !== 'down' && s.status === 200) recovered.add(s.route);
    await sleep(250);
  }
  phase = 'back';
  await sleep(2_000);
  running = false;
  await Promise.all(loops);

  const summary = (p: string) =>
    Object.entries(
      seen
        .filter((s) => s.phase === p)
        .reduce<Record<string, number>>((m, s) => {
          const k = `${s.route} ${s.status}${s.reason ? ` ${s.reason}` : ''}`;
          m[k] = (m[k] ?? 0) + 1;
          return m;
        }, {}),
    )
      .map(([k, n]) => `${n} x ${k}`)
      .join(', ');
  console.log(
    ['up', 'down', 'recovering', 'back'].map((p) => `[db-outage] ${p}: ${summary(p)}`).join('\n'),
  );

  // Never a 500, never a dropped connection, whatever the phase.
  expect(
    seen.filter((s) => s.status === 0 || (s.status >= 500 && s.status !== 503 && s.status !== 504)),
  ).toEqual([]);
  // Down: the database-backed answers are 503 with a reason (a cached product read may be 200).
  const down = seen.filter((s) => s.phase === 'down' && s.status !== 200);
  expect(down.length).toBeGreaterThan(0);
  expect(down.filter((s) => s.status === 503 && !s.reason)).toEqual([]);
  expect(down.some((s) => s.status === 503)).toBe(true);
  for (const route of ['login', 'stock', 'order'])
    expect(`${route}: ${down.some((s) => s.route === route && s.status === 503)}`).toBe(
      `${route}: true`,
    );
  // Back: every route answers 200 again, and no process exited or was restarted.
  expect([...recovered].sort()).toEqual(Object.keys(routes).sort());
  const back = seen.filter((s) => s.phase === 'back');
  expect(back.filter((s) => s.status !== 200)).toEqual([]);
  expect(exits).toEqual([]);
});
