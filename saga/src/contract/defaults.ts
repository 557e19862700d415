import type { OrderSagaOptions } from './index';

/** Saga durations when neither the workflow argument nor the worker's configuration sets them. */
export const DEFAULT_SAGA_OPTIONS: Readonly<OrderSagaOptions> = Object.freeze({
  cancellationWindowMs: 24 * 3_600_000,
  compensationBudgetMs: 6 * 3_600_000,
  authValidityMs: 7 * 86_400_000,
});
