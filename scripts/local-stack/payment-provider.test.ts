/** The local stack's provider choice: simulated by default, stripe on stripe-mock when asked. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localPaymentsFromEnv, paymentsEnv } from './payment-provider';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'meshcart-lp-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('simulated stays the default (npm start), with its opt-in', () => {
  const p = localPaymentsFromEnv({});
  expect(p).toEqual({ provider: 'simulated' });
  expect(paymentsEnv(p, dir, {})).toEqual({
    PAYMENT_PROVIDER: 'simulated',
    ALLOW_SIMULATED_PAYMENTS: 'true',
  });
});

test('PAYMENT_PROVIDER=stripe: stripe-mock on 12111, dev secrets as 0600 files, never values', () => {
  const p = localPaymentsFromEnv({ PAYMENT_PROVIDER: 'stripe' });
  expect(p).toEqual({
    provider: 'stripe',
    apiBase: 'http://127.0.0.1:12111',
    mockPort: 12111,
    webhookPort: 50084,
  });
  const env = paymentsEnv(p, dir, {});
  expect(env).toMatchObject({
    PAYMENT_PROVIDER: 'stripe',
    ALLOW_SIMULATED_PAYMENTS: 'false',
    STRIPE_API_BASE: 'http://127.0.0.1:12111',
    STRIPE_WEBHOOK_PORT: '50084',
  });
  expect(readFileSync(env.STRIPE_SECRET_KEY_FILE!, 'utf8')).toMatch(/^sk_test_\w+\n$/);
  expect(readFileSync(env.STRIPE_WEBHOOK_SECRET_FILE!, 'utf8')).toMatch(/^whsec_\w+\n$/);
  expect(statSync(env.STRIPE_SECRET_KEY_FILE!).mode & 0o777).toBe(0o600);
  // Reused on the next start (webhook senders keep their secret).
  expect(paymentsEnv(p, dir, {})).toEqual(env);
});

test('STRIPE_API_BASE given: no stripe-mock; own secret files win; other providers are refused', () => {
  const p = localPaymentsFromEnv({
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_API_BASE: 'https://api.stripe.com',
    STRIPE_WEBHOOK_PORT: '8099',
  });
  expect(p).toMatchObject({ mockPort: null, webhookPort: 8099, apiBase: 'https://api.stripe.com' });
  expect(
    paymentsEnv(p, dir, { STRIPE_SECRET_KEY_FILE: '/run/k', STRIPE_WEBHOOK_SECRET_FILE: '/run/w' }),
  ).toMatchObject({ STRIPE_SECRET_KEY_FILE: '/run/k', STRIPE_WEBHOOK_SECRET_FILE: '/run/w' });
  expect(() => localPaymentsFromEnv({ PAYMENT_PROVIDER: 'adyen' })).toThrow(/simulated or stripe/);
  expect(() =>
    localPaymentsFromEnv({ PAYMENT_PROVIDER: 'stripe', MESHCART_STRIPE_MOCK_PORT: 'x' }),
  ).toThrow(/MESHCART_STRIPE_MOCK_PORT/);
});
