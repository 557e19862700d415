/** The real process: config errors, `main.ts migrate`, then serve, one call, graceful SIGTERM. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkHealth, createClient } from '@meshcart/kit';
import { createTestDatabase, type TestDatabase } from '@meshcart/kit/db';
import { createTestAuth, freePort, REPO_ROOT, spawnTs } from '@meshcart/kit/testkit';
import { PaymentServiceService, PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { newVaultKeyBase64 } from '../src/store/vault-cipher';
import { authorizeRequest } from './harness';

const ENTRY = 'services/payments/src/main.ts';
const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(REPO_ROOT, ENTRY), ...args],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
  ).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: e.stdout + e.stderr,
    }),
  );

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('pay_proc');
});
afterAll(() => db.drop());

test('missing config exits 2 naming PAYMENT_PROVIDER (required: no silent simulated default), no secrets echoed', async () => {
  const res = await run([], { DATABASE_URL: 'mysql://u:hunter2@127.0.0.1:1/x' });
  expect(res.code).toBe(2);
  expect(res.out).toContain('PAYMENT_PROVIDER');
  expect(res.out).toContain('JWT_PUBLIC_KEYS');
  expect(res.out).toContain('PAYMENT_VAULT_KEY or PAYMENT_VAULT_KEY_FILE is required');
  expect(res.out).not.toContain('hunter2');
});

test('the simulated provider without the explicit opt-in exits 2 naming ALLOW_SIMULATED_PAYMENTS', async () => {
  const auth = await createTestAuth();
  const res = await run([], {
    ...auth.env,
    DATABASE_URL: db.url,
    PAYMENT_PROVIDER: 'simulated',
    PAYMENT_VAULT_KEY: newVaultKeyBase64(),
  });
  expect(res.code).toBe(2);
  expect(res.out).toContain('ALLOW_SIMULATED_PAYMENTS=true');
});

test('`main.ts migrate` (DATABASE_URL only), then serve health and an authorization, exit 0 on SIGTERM', async () => {
  const migrated = await run(['migrate'], { DATABASE_URL: db.url });
  expect(migrated).toMatchObject({ code: 0 });
  expect(migrated.out).toContain('applying 20261122000000_init');

  const auth = await createTestAuth();
  const port = await freePort();
  const proc = await spawnTs({
    name: 'payments',
    entry: ENTRY,
    port,
    env: {
      ...auth.env,
      DATABASE_URL: db.url,
      PAYMENT_PROVIDER: 'simulated',
      ALLOW_SIMULATED_PAYMENTS: 'true',
      PAYMENT_VAULT_KEY: newVaultKeyBase64(),
    },
  });
  try {
    expect(await checkHealth(proc.address, 'shop.payments.v1.PaymentService')).toBe('SERVING');
    const client = createClient(PaymentServiceService, proc.address, {
      caller: 'saga-worker',
      token: () => auth.serviceToken('saga-worker'),
    });
    const { payment } = await client.authorizePayment(authorizeRequest());
    expect(payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    client.close();
  } finally {
    expect(await proc.kill('SIGTERM')).toBe(0);
  }
  expect(proc.output()).toContain('authorize payment');
  expect(proc.output()).not.toContain('tok_visa');
}, 60_000);
