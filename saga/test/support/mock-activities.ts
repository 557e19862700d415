/** jest.fn activities for workflow tests: every mock succeeds unless overridden, and logs its call. */
import { ApplicationFailure } from '@temporalio/common';
import type { OrderSagaOptions } from '../../src/contract';
import type {
  ProgressRecord,
  SagaActivities,
  SagaLocalActivities,
} from '../../src/activities/types';

export type MockedActivities = {
  [K in keyof SagaActivities]: jest.Mock<
    ReturnType<SagaActivities[K]>,
    Parameters<SagaActivities[K]>
  >;
} & {
  sagaSettings: jest.Mock<ReturnType<SagaLocalActivities['sagaSettings']>, []>;
};

export interface ActivityLog {
  /** Names of the service-calling activities, in call order (progress records excluded). */
  calls: string[];
  /** Every RecordOrderProgress request, in call order. */
  progress: ProgressRecord[];
}

const OK: { [K in keyof SagaActivities]: Awaited<ReturnType<SagaActivities[K]>> } = {
  reserveStock: 'RESERVATION_STATUS_ACTIVE',
  authorizePayment: 'PAYMENT_STATUS_AUTHORIZED',
  createShipment: 'SHIPMENT_STATUS_CREATED',
  capturePayment: 'PAYMENT_STATUS_CAPTURED',
  releaseShipment: 'SHIPMENT_STATUS_CREATED',
  commitReservation: 'RESERVATION_STATUS_COMMITTED',
  releaseReservation: 'RESERVATION_STATUS_RELEASED',
  voidPayment: 'PAYMENT_STATUS_VOIDED',
  cancelShipment: 'SHIPMENT_STATUS_CANCELLED',
  refundPayment: 'PAYMENT_STATUS_REFUNDED',
  returnReservation: 'RESERVATION_STATUS_RETURNED',
  recordOrderProgress: undefined,
};

type Impl = { [K in keyof SagaActivities]?: SagaActivities[K] };

/** Mocks with default answers; `impl` replaces some (e.g. to fail or block). */
export function mockActivities(
  impl: Impl = {},
  settings: Partial<OrderSagaOptions> = {},
): MockedActivities & ActivityLog {
  const log: ActivityLog = { calls: [], progress: [] };
  const mocks: Record<string, jest.Mock> = {};
  for (const name of Object.keys(OK) as (keyof SagaActivities)[]) {
    mocks[name] = jest.fn(async (...args: unknown[]) => {
      if (name === 'recordOrderProgress') log.progress.push(args[0] as ProgressRecord);
      else log.calls.push(name);
      const custom = impl[name] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      return custom ? custom(...args) : OK[name];
    });
  }
  mocks.sagaSettings = jest.fn(async () => settings);
  return Object.assign(mocks as unknown as MockedActivities, log);
}

/** A business failure as the activities raise it (non-retryable, type = ErrorInfo reason). */
export const businessFailure = (reason: string) =>
  ApplicationFailure.nonRetryable(`simulated ${reason}`, reason);
/** A transient failure (retried by Temporal with backoff). */
export const transientFailure = (reason = 'UNAVAILABLE') =>
  ApplicationFailure.retryable(`simulated ${reason}`, reason);

/** A promise with its resolve function exposed (to hold an activity until the test lets go). */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Polls until `check` holds (real time; the dev server does not skip time). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
