import type { PaymentProvider } from '../domain/payment-provider';
import { SimulatedPaymentProvider } from './simulated.provider';

/** Provider names PAYMENT_PROVIDER accepts. Real PSPs add an entry and an adapter here. */
export const PROVIDERS = ['simulated'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Builds the provider the configuration selects. */
export function createProvider(cfg: {
  paymentProvider: ProviderName;
  simulatedLatencyMs: number;
}): PaymentProvider {
  switch (cfg.paymentProvider) {
    case 'simulated':
      return new SimulatedPaymentProvider({ latencyMs: cfg.simulatedLatencyMs });
  }
}
