import type { OrderSagaInput } from '@meshcart/saga/contract';
import type { SagaGateway } from '../../src/saga/saga-gateway';

/** A SagaGateway that records starts and answers cancels as the test says. */
export interface FakeSaga extends SagaGateway {
  starts: OrderSagaInput[];
  cancels: string[];
  /** Order ids whose saga exists (every started one is added). */
  existing: Set<string>;
  /** What the next cancels do (default: accept). */
  onCancel: (orderId: string) => Promise<void>;
}

export function fakeSaga(): FakeSaga {
  const saga: FakeSaga = {
    starts: [],
    cancels: [],
    existing: new Set(),
    onCancel: async () => undefined,
    start: async (input) => {
      saga.starts.push(structuredClone(input));
      saga.existing.add(input.orderId);
    },
    exists: async (orderId) => saga.existing.has(orderId),
    cancel: async (orderId) => {
      saga.cancels.push(orderId);
      await saga.onCancel(orderId);
    },
  };
  return saga;
}
