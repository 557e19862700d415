/**
 * How the saga calls its activities. Every activity is one or two unary gRPC calls with a 4 s
 * deadline (the client's), so:
 * - startToCloseTimeout 10 s: longer than the deadline (plus a token refresh), short enough
 *   that a worker killed mid-call is noticed and the attempt retried within seconds.
 * - no heartbeats: nothing runs long enough to report progress; startToClose already bounds
 *   an attempt as tightly as a heartbeat timeout would.
 * - backoff from 500 ms doubling to 30 s: rides out a restarting pod or a flaky provider
 *   (tok_flaky's two UNAVAILABLE answers cost 1.5 s) without hammering a service that is down.
 * Business failures are non-retryable ApplicationFailures (activities/errors.ts), so the retry
 * policies below only ever repeat transient failures and identity faults (UNAUTHENTICATED,
 * PERMISSION_DENIED: the worker's key or a policy out of step, e.g. mid-rotation), always with
 * the same idempotency key. No policy lists non-retryable error types or caps attempts: what ends
 * the retrying is the budget of each group below, never the kind of fault.
 */
import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { SagaActivities, SagaLocalActivities } from '../activities/types';

const START_TO_CLOSE = '10s';
const BACKOFF: RetryPolicy = {
  initialInterval: '500ms',
  backoffCoefficient: 2,
  maximumInterval: '30s',
};

/**
 * Steps before the authorization (reserve, authorize): the customer waits and stock is held,
 * so they give up after 5 minutes of transient failures and the saga compensates.
 */
export function beforeAuthorization(): SagaActivities {
  return proxyActivities<SagaActivities>({
    startToCloseTimeout: START_TO_CLOSE,
    scheduleToCloseTimeout: '5m',
    retry: BACKOFF,
  });
}

/**
 * Steps between authorization and capture (create shipment, capture): retried without a limit
 * of their own; the authorization-validity timer races them and cancels them when it fires.
 */
export function beforeCapture(): SagaActivities {
  return proxyActivities<SagaActivities>({
    startToCloseTimeout: START_TO_CLOSE,
    retry: { ...BACKOFF, maximumInterval: '1m' },
  });
}

/**
 * Compensations, the commit after capture, and the post-confirmation cancellation steps: they
 * must happen, so attempts are unlimited, bounded only by the budget (scheduleToCloseTimeout);
 * a call still failing after it leaves the order NEEDS_ATTENTION.
 */
export function withBudget(budgetMs: number): SagaActivities {
  const options: ActivityOptions = {
    startToCloseTimeout: START_TO_CLOSE,
    scheduleToCloseTimeout: budgetMs,
    retry: BACKOFF, // maximumAttempts unset: unlimited
  };
  return proxyActivities<SagaActivities>(options);
}

/**
 * Progress records on the order: one short idempotent RPC (the sequence makes repeats and
 * late arrivals harmless) that the customer needs to see the outcome, so retried until orders
 * answers, without a time limit. A local activity: it runs inside the workflow task that asked
 * for it and is recorded as a marker, instead of a round trip through the server's task queues
 * (6 of the saga's 11 activities are progress records; as regular activities they doubled the
 * saga's latency and the server's work, see bench/ANALYSIS.md). Retries with a backoff above
 * the local retry threshold become server timers, so an orders outage is ridden out too.
 */
export function progressRecorder(): Pick<SagaActivities, 'recordOrderProgress'> {
  return proxyLocalActivities<SagaActivities>({
    startToCloseTimeout: START_TO_CLOSE,
    retry: BACKOFF,
  });
}

/**
 * Progress records as regular activities: how sagas started before the `progress-local-activity`
 * patch recorded them. Kept so those sagas keep replaying (saga-support.ts ProgressLog).
 */
export function legacyProgressRecorder(): Pick<SagaActivities, 'recordOrderProgress'> {
  return proxyActivities<SagaActivities>({ startToCloseTimeout: START_TO_CLOSE, retry: BACKOFF });
}

/** The worker's settings: answered from memory, so a local activity with a short timeout. */
export function localSettings(): SagaLocalActivities {
  return proxyLocalActivities<SagaLocalActivities>({
    startToCloseTimeout: '5s',
    retry: { maximumAttempts: 3 },
  });
}
