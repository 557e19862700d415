/** Payments configuration: its spec (the chassis reads the environment through loadConfig). */
import { parse, serviceConfigSpec, v, type ConfigOf } from '@meshcart/kit';
import { PROVIDERS } from './provider/create-provider';
import { parseVaultKeyBase64, vaultKeyFrom, type VaultKey } from './store/vault-cipher';

const databaseUrl = v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true });

export const paymentsConfigSpec = {
  ...serviceConfigSpec('payments'),
  databaseUrl,
  dbPoolSize: v('DB_POOL_SIZE', parse.int({ min: 1, max: 500 }), { default: 10 }),
  // Required on purpose: a deployment must never fall back to the simulated provider by accident.
  paymentProvider: v('PAYMENT_PROVIDER', parse.oneOf(PROVIDERS)),
  providerTimeoutMs: v('PAYMENT_PROVIDER_TIMEOUT_MS', parse.duration(), { default: 5_000 }),
  simulatedLatencyMs: v('SIMULATED_PROVIDER_LATENCY_MS', parse.duration(), { default: 0 }),
  /**
   * The simulated provider approves test tokens for any amount: payments refuses to start with it
   * unless this says so (local stack, tests, dev chart values; production values never do).
   */
  allowSimulatedPayments: v('ALLOW_SIMULATED_PAYMENTS', parse.bool(), { default: false }),
  /**
   * The card-token vault's AES-256-GCM key: base64 of 32 bytes, inline or as a file (a mounted
   * Secret); one of the two is required. Read once at start.
   */
  paymentVaultKey: v('PAYMENT_VAULT_KEY', parseVaultKeyBase64, {
    secret: true,
    default: '',
    orEnv: 'PAYMENT_VAULT_KEY_FILE',
  }),
  paymentVaultKeyFile: v('PAYMENT_VAULT_KEY_FILE', parse.string(), { default: '' }),
  /** `stripe` only: the API base (stripe-mock locally and in tests). */
  stripeApiBase: v('STRIPE_API_BASE', parse.url(['http', 'https']), {
    default: 'https://api.stripe.com',
  }),
  /** `stripe` only, then required: a file holding the secret key (a mounted Secret); never logged. */
  stripeSecretKeyFile: v('STRIPE_SECRET_KEY_FILE', parse.string(), { default: '' }),
  /** `stripe` only, then required: a file holding the webhook signing secret (whsec_...). */
  stripeWebhookSecretFile: v('STRIPE_WEBHOOK_SECRET_FILE', parse.string(), { default: '' }),
  /** `stripe` only: where POST /webhooks/stripe listens (host: GRPC_HOST). */
  stripeWebhookPort: v('STRIPE_WEBHOOK_PORT', parse.int({ min: 0, max: 65535 }), {
    default: 50084,
  }),
  /** A signed event older than this is refused (a captured request replayed later). */
  stripeWebhookToleranceMs: v('STRIPE_WEBHOOK_TOLERANCE', parse.duration(), { default: 300_000 }),
  /** Stripe's search index lags writes: a look-up missing a younger attempt means "not yet". */
  stripeSearchLagMs: v('STRIPE_SEARCH_LAG', parse.duration(), { default: 120_000 }),
  /** How often the reconciler settles PENDING payments whose outcome was unknown; 0 = never. */
  reconcileIntervalMs: v('PAYMENT_RECONCILE_INTERVAL', parse.duration(), { default: 30_000 }),
  /** How long a vaulted payment method can be authorized (the saga authorizes within seconds). */
  paymentMethodTtlMs: v('PAYMENT_METHOD_TTL', parse.duration(), { default: 3_600_000 }),
};

export type PaymentsConfig = ConfigOf<typeof paymentsConfigSpec>;

/** What buildServer takes from the config; reads the vault key (ConfigError when unusable). */
export function serverSettings(config: PaymentsConfig): {
  providerTimeoutMs: number;
  paymentMethodTtlMs: number;
  vaultKey: VaultKey;
} {
  return {
    providerTimeoutMs: config.providerTimeoutMs,
    paymentMethodTtlMs: config.paymentMethodTtlMs,
    vaultKey: vaultKeyFrom(config),
  };
}
