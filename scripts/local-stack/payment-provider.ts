/**
 * The payment provider of the local stack. `simulated` by default (test tokens, no network);
 * PAYMENT_PROVIDER=stripe runs the real Stripe adapter against stripe-mock, which the stack then
 * starts itself (scripts/stripe-mock.sh, port MESHCART_STRIPE_MOCK_PORT, 12111) unless
 * STRIPE_API_BASE points elsewhere (e.g. https://api.stripe.com with your own test key in
 * STRIPE_SECRET_KEY_FILE). Without secret files of your own, dev ones are generated under
 * .data/keys (stripe-mock accepts any sk_test_ key; the webhook secret signs your test events).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type LocalPayments =
  | { provider: 'simulated' }
  | {
      provider: 'stripe';
      apiBase: string;
      /** stripe-mock's port when the stack starts it; null when STRIPE_API_BASE is given. */
      mockPort: number | null;
      webhookPort: number;
    };

export const DEFAULT_STRIPE_MOCK_PORT = 12111;
export const DEFAULT_STRIPE_WEBHOOK_PORT = 50084;

export function localPaymentsFromEnv(
  env: Record<string, string | undefined> = process.env,
): LocalPayments {
  const provider = env.PAYMENT_PROVIDER ?? 'simulated';
  if (provider === 'simulated') return { provider };
  if (provider !== 'stripe')
    throw new Error(`PAYMENT_PROVIDER must be simulated or stripe locally (got ${provider})`);
  const port = (name: string, dflt: number) => {
    const n = Number(env[name] ?? dflt);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new Error(`${name} must be a port number (got ${env[name]})`);
    return n;
  };
  const webhookPort = port('STRIPE_WEBHOOK_PORT', DEFAULT_STRIPE_WEBHOOK_PORT);
  if (env.STRIPE_API_BASE)
    return { provider, apiBase: env.STRIPE_API_BASE, mockPort: null, webhookPort };
  const mockPort = port('MESHCART_STRIPE_MOCK_PORT', DEFAULT_STRIPE_MOCK_PORT);
  return { provider, apiBase: `http://127.0.0.1:${mockPort}`, mockPort, webhookPort };
}

/** Environment of the payments process for this provider (secrets as files, never values). */
export function paymentsEnv(
  p: LocalPayments,
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  if (p.provider === 'simulated')
    return { PAYMENT_PROVIDER: 'simulated', ALLOW_SIMULATED_PAYMENTS: 'true' };
  const dir = path.join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true });
  return {
    PAYMENT_PROVIDER: 'stripe',
    ALLOW_SIMULATED_PAYMENTS: 'false',
    STRIPE_API_BASE: p.apiBase,
    STRIPE_WEBHOOK_PORT: String(p.webhookPort),
    STRIPE_SECRET_KEY_FILE:
      env.STRIPE_SECRET_KEY_FILE ??
      devSecret(dir, 'stripe-secret-key', () => `sk_test_meshcartlocal${hex(12)}`),
    STRIPE_WEBHOOK_SECRET_FILE:
      env.STRIPE_WEBHOOK_SECRET_FILE ??
      devSecret(dir, 'stripe-webhook-secret', () => `whsec_${hex(24)}`),
  };
}

function devSecret(dir: string, name: string, make: () => string): string {
  const file = path.join(dir, name);
  if (!existsSync(file)) writeFileSync(file, `${make()}\n`, { mode: 0o600 });
  return file;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
