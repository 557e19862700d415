/** Payments configuration: its spec (the chassis reads the environment through loadConfig). */
import { parse, serviceConfigSpec, v, type ConfigOf } from '@meshcart/kit';
import { PROVIDERS } from './provider/create-provider';

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
};

export type PaymentsConfig = ConfigOf<typeof paymentsConfigSpec>;
