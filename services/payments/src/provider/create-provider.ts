import { ConfigError } from '@meshcart/kit';
import type { PaymentProvider } from '../domain/payment-provider';
import { SimulatedPaymentProvider } from './simulated.provider';

/** Provider names PAYMENT_PROVIDER accepts. Real PSPs add an entry and an adapter here. */
export const PROVIDERS = ['simulated'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Builds the provider the configuration selects; refuses `simulated` without the explicit opt-in. */
export function createProvider(cfg: {
  paymentProvider: ProviderName;
  simulatedLatencyMs: number;
  allowSimulatedPayments: boolean;
}): PaymentProvider {
  switch (cfg.paymentProvider) {
    case 'simulated':
      if (!cfg.allowSimulatedPayments)
        throw new ConfigError([
          'PAYMENT_PROVIDER=simulated approves test tokens for any amount: set ALLOW_SIMULATED_PAYMENTS=true to run it (never in production)',
        ]);
      return new SimulatedPaymentProvider({ latencyMs: cfg.simulatedLatencyMs });
  }
}
