/** Activities of the order saga: the remote calls, and the worker's settings as a local activity. */
import type { OrderSagaOptions } from '../contract';
import type { SagaLocalActivities } from './types';

export { createActivities, type ActivityDeps } from './saga.activities';
export { toActivityFailure, reasonOf } from './errors';
export type * from './types';

/** The worker's configured durations, handed to each new saga once (recorded in its history). */
export function createLocalActivities(settings: Partial<OrderSagaOptions>): SagaLocalActivities {
  const frozen = { ...settings };
  return { sagaSettings: async () => frozen };
}
