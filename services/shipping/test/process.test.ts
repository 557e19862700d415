/** The real process: `main.ts migrate`, then serve, one call, graceful SIGTERM. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkHealth, createClient } from '@meshcart/kit';
import { createTestDatabase, type TestDatabase } from '@meshcart/kit/db';
import { createTestAuth, freePort, REPO_ROOT, spawnTs } from '@meshcart/kit/testkit';
import { ShippingServiceService } from '@meshcart/proto/shop/shipping/v1/shipping';
import { berlin } from './harness';

const ENTRY = 'services/shipping/src/main.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('ship_proc');
});
afterAll(() => db.drop());

test('`main.ts migrate` (DATABASE_URL only), then serve health and a quote, exit 0 on SIGTERM', async () => {
  const migrated = await promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(REPO_ROOT, ENTRY), 'migrate'],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url },
      encoding: 'utf8',
    },
  );
  expect(migrated.stdout).toContain('applying 20261122000000_init');

  const auth = await createTestAuth();
  const port = await freePort();
  const proc = await spawnTs({
    name: 'shipping',
    entry: ENTRY,
    port,
    env: { ...auth.env, DATABASE_URL: db.url },
  });
  try {
    expect(await checkHealth(proc.address, 'shop.shipping.v1.ShippingService')).toBe('SERVING');
    expect(await checkHealth(proc.address, 'shop.shipping.v1.ShippingCarrierService')).toBe(
      'SERVING',
    );
    const client = createClient(ShippingServiceService, proc.address, {
      caller: 'orders',
      token: () => auth.serviceToken('orders'),
    });
    const { price } = await client.quoteShipping({
      address: berlin(),
      items: [{ sku: 'MUG-1', quantity: 1 }],
      currencyCode: '',
    });
    expect(price).toEqual({ currencyCode: 'EUR', amountMinor: '540' });
    client.close();
  } finally {
    expect(await proc.kill('SIGTERM')).toBe(0);
  }
  // It listened where it was told (a field of the chassis's log line, not its text).
  const listening = proc
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { port?: number });
  expect(listening.some((l) => l.port === Number(proc.address.split(':')[1]))).toBe(true);
}, 60_000);
