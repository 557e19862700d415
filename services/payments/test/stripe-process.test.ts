/**
 * The real process with PAYMENT_PROVIDER=stripe against stripe-mock (through the fault proxy):
 * secrets come from files and never reach the logs (the output is grepped for them), a key the
 * provider refuses stops the start with exit 2 (never declines), and the webhook port serves.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@meshcart/kit';
import { createTestDatabase, type TestDatabase } from '@meshcart/kit/db';
import { createTestAuth, freePort, REPO_ROOT, spawnTs, type TestAuth } from '@meshcart/kit/testkit';
import { PaymentServiceService, PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import Stripe from 'stripe';
import { newVaultKeyBase64 } from '../src/store/vault-cipher';
import { authorizeRequest } from './harness';
import type { StripeFaultProxy } from './support/stripe-fault-proxy';
import {
  startFakeStripe,
  STRIPE_MOCK_START_TIMEOUT_MS,
  type FakeStripe,
} from './support/fake-stripe';

const ENTRY = 'services/payments/src/main.ts';
const KEY = 'sk_test_meshcartProcessKey4242';
const WEBHOOK_SECRET = 'whsec_meshcartProcessSecret4242';
let db: TestDatabase;
let fake: FakeStripe;
let proxy: StripeFaultProxy;
let dir: string;
let env: Record<string, string>;
let auth: TestAuth;

beforeAll(async () => {
  db = await createTestDatabase('pay_sproc');
  fake = await startFakeStripe();
  proxy = fake.proxy;
  dir = mkdtempSync(path.join(tmpdir(), 'meshcart-stripe-'));
  writeFileSync(path.join(dir, 'key'), `${KEY}\n`);
  writeFileSync(path.join(dir, 'whsec'), `${WEBHOOK_SECRET}\n`);
  auth = await createTestAuth();
  env = {
    ...auth.env,
    DATABASE_URL: db.url,
    PAYMENT_VAULT_KEY: newVaultKeyBase64(),
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_API_BASE: proxy.url,
    STRIPE_SECRET_KEY_FILE: path.join(dir, 'key'),
    STRIPE_WEBHOOK_SECRET_FILE: path.join(dir, 'whsec'),
    LOG_LEVEL: 'debug',
  };
  await promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(REPO_ROOT, ENTRY), 'migrate'],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url } },
  );
}, STRIPE_MOCK_START_TIMEOUT_MS);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await fake?.stop();
  await db?.drop();
});

const spawnPayments = async (extra: Record<string, string> = {}) => {
  const port = await freePort();
  const webhookPort = await freePort();
  const proc = await spawnTs({
    name: 'payments',
    entry: ENTRY,
    port,
    env: { ...env, STRIPE_WEBHOOK_PORT: String(webhookPort), ...extra },
    timeoutMs: 30_000,
  });
  return { proc, webhookPort };
};

test('serves stripe: authorize, capture, a webhook; neither secret appears in the logs', async () => {
  const { proc, webhookPort } = await spawnPayments();
  try {
    const client = createClient(PaymentServiceService, proc.address, {
      caller: 'saga-worker',
      token: () => auth.serviceToken('saga-worker'),
    });
    const req = authorizeRequest({ paymentToken: 'pm_card_visa' });
    const { payment } = await client.authorizePayment(req);
    expect(payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    await client.capturePayment({ paymentId: req.paymentId });
    client.close();
    const payload = JSON.stringify({
      id: 'evt_process_1',
      object: 'event',
      type: 'charge.dispute.created',
      data: {
        object: { id: 'dp_1', object: 'dispute', payment_intent: payment!.providerReference },
      },
    });
    const res = await fetch(`http://127.0.0.1:${webhookPort}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: WEBHOOK_SECRET,
        }),
      },
      body: payload,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outcome: string }).outcome).toBe('attention');
  } finally {
    expect(await proc.kill('SIGTERM')).toBe(0);
  }
  const out = proc.output();
  expect(out).toContain('"provider":"stripe"');
  expect(out).not.toContain(KEY);
  expect(out).not.toContain(WEBHOOK_SECRET);
  expect(out).not.toContain('pm_card_visa');
}, 60_000);

test('credentials the provider refuses stop the start (exit 2), naming the cause, not the key', async () => {
  proxy.failNext('verify', { kind: 'status', status: 401 });
  const res = await promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(REPO_ROOT, ENTRY)],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, GRPC_PORT: String(await freePort()) },
    },
  ).then(
    () => ({ code: 0, out: '' }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: e.stdout + e.stderr,
    }),
  );
  expect(res.code).toBe(2);
  expect(res.out).toContain('credentials');
  expect(res.out).not.toContain(KEY);
});

test('a missing or malformed secret file exits 2 naming the variable', async () => {
  writeFileSync(path.join(dir, 'bad'), 'pk_test_publishable_not_secret');
  for (const extra of [
    { STRIPE_SECRET_KEY_FILE: path.join(dir, 'bad') },
    { STRIPE_WEBHOOK_SECRET_FILE: path.join(dir, 'missing') },
  ]) {
    const res = await promisify(execFile)(
      process.execPath,
      ['--require', 'tsx/cjs', path.join(REPO_ROOT, ENTRY)],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env, ...extra } },
    ).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        out: e.stdout + e.stderr,
      }),
    );
    expect(res.code).toBe(2);
    expect(res.out).toContain(Object.keys(extra)[0]);
    expect(res.out).not.toContain('pk_test_publishable_not_secret');
  }
});
