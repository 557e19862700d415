import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { checkHealth, createClient, createTestDatabase, type TestDatabase } from '@meshcart/kit';
import { createTestAuth, freePort, REPO_ROOT, spawnTs } from '@meshcart/kit/testkit';
import { OrderServiceService } from '@meshcart/proto/shop/orders/v1/orders';
import { failure } from './support/expect';

const run = promisify(execFile);
const ENTRY = path.join('services', 'orders', 'src', 'main.ts');
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('orders_main');
});
afterAll(() => db.drop());

test('the real process: migrate exits 0, then it serves health and stops cleanly on SIGTERM', async () => {
  const auth = await createTestAuth();
  // Downstreams are not running: startup must not need them (nor Temporal, which is connected lazily).
  const env = {
    ...auth.env,
    DATABASE_URL: db.url,
    CATALOG_ADDR: '127.0.0.1:1',
    SHIPPING_ADDR: '127.0.0.1:1',
  };

  // `main.ts migrate` needs nothing but the database URL (a migration Job has no JWT keys).
  // Both processes boot at once: the server needs no tables to come up, only to answer calls.
  const port = await freePort();
  const booting = spawnTs({ name: 'orders', entry: ENTRY, env, port, timeoutMs: 45_000 });
  const migrated = await run(process.execPath, ['--require', 'tsx/cjs', ENTRY, 'migrate'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, DATABASE_URL: db.url },
  }).catch(async (e: unknown) => {
    await booting.then((p) => p.kill('SIGKILL')).catch(() => undefined);
    throw e;
  });
  const proc = await booting;
  // The chassis logs what it applied as a JSON field (asserted as data, not as text).
  const applied = migrated.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { applied?: string[] })
    .find((l) => l.applied)?.applied;
  expect(applied).toEqual([
    '20250101000000_init',
    '20261205000000_payment_method',
    '20261206000000_orphan_orders_and_caps',
  ]);
  try {
    expect(await checkHealth(proc.address, 'shop.orders.v1.OrderService')).toBe('SERVING');
    expect(await checkHealth(proc.address, 'shop.orders.v1.OrderSagaService')).toBe('SERVING');
    // It reaches its database: an empty list for a new user.
    const client = createClient(OrderServiceService, proc.address, {
      caller: null,
      defaultTimeoutMs: 20_000,
    });
    const list = await client.listOrders(
      { pageSize: 0, pageToken: '' },
      { metadata: auth.bearer(await auth.userToken('u-main')) },
    );
    expect(list.orders).toEqual([]);
    expect((await failure(client.listOrders({ pageSize: 0, pageToken: '' }))).code).toBe(
      status.UNAUTHENTICATED,
    );
    client.close();
  } finally {
    expect(await proc.kill('SIGTERM')).toBe(0);
  }
  expect(proc.output()).toContain('grpc server stopped');
  expect(proc.output()).not.toContain(auth.privateKeyPem.split('\n')[1]!);
}, 60_000);
