import { readFileSync } from 'node:fs';
import { ConfigError } from '@meshcart/kit';
import type { PaymentProvider } from '../domain/payment-provider';
import { SimulatedPaymentProvider } from './simulated.provider';
import { StripePaymentProvider } from './stripe/stripe.provider';

/** Provider names PAYMENT_PROVIDER accepts. Real PSPs add an entry and an adapter here. */
export const PROVIDERS = ['simulated', 'stripe'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** A Stripe secret or restricted key (live or test); checked so a pasted publishable key fails. */
const STRIPE_KEY = /^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$/;

/**
 * Builds the provider the configuration selects; refuses `simulated` without the explicit opt-in
 * and `stripe` without a readable secret key file. Errors never quote the key.
 */
export function createProvider(cfg: {
  paymentProvider: ProviderName;
  simulatedLatencyMs: number;
  allowSimulatedPayments: boolean;
  providerTimeoutMs: number;
  stripeApiBase: string;
  stripeSecretKeyFile: string;
  stripeSearchLagMs: number;
}): PaymentProvider {
  switch (cfg.paymentProvider) {
    case 'simulated':
      if (!cfg.allowSimulatedPayments)
        throw new ConfigError([
          'PAYMENT_PROVIDER=simulated approves test tokens for any amount: set ALLOW_SIMULATED_PAYMENTS=true to run it (never in production)',
        ]);
      return new SimulatedPaymentProvider({ latencyMs: cfg.simulatedLatencyMs });
    case 'stripe':
      return new StripePaymentProvider({
        secretKey: readStripeKey(cfg.stripeSecretKeyFile),
        apiBase: cfg.stripeApiBase,
        timeoutMs: cfg.providerTimeoutMs,
        searchLagMs: cfg.stripeSearchLagMs,
      });
  }
}

/** The secret key from its file (a mounted Secret); ConfigError naming the variable, not the key. */
export function readStripeKey(file: string): string {
  return readSecretFile(
    'STRIPE_SECRET_KEY_FILE',
    file,
    STRIPE_KEY,
    'a Stripe secret key (sk_test_..., sk_live_... or rk_...)',
  );
}

/** The webhook signing secret from its file. */
export function readStripeWebhookSecret(file: string): string {
  return readSecretFile(
    'STRIPE_WEBHOOK_SECRET_FILE',
    file,
    /^whsec_[A-Za-z0-9_]{8,}$/,
    'a webhook signing secret (whsec_...)',
  );
}

function readSecretFile(name: string, file: string, shape: RegExp, what: string): string {
  if (!file) throw new ConfigError([`PAYMENT_PROVIDER=stripe needs ${name}`]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new ConfigError([
      `${name} cannot be read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    ]);
  }
  if (!shape.test(text)) throw new ConfigError([`${name} must hold ${what}`]);
  return text;
}
