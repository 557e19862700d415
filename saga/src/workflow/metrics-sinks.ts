/**
 * Saga metrics as Temporal sinks: the workflow (deterministic sandbox, no I/O) calls them through
 * `proxySinks<SagaMetricsSinks>().sagaMetrics`, the worker records them (../worker/saga-metrics.ts). Sinks
 * are not called while a workflow replays, so each event is counted once. Types only: safe to
 * import from workflow code.
 */
import type { Sink, Sinks } from '@temporalio/workflow';

export interface SagaMetricsSink extends Sink {
  /** The saga began (first line of the workflow). */
  started(): void;
  /** Every forward step succeeded: the order is CONFIRMED. */
  confirmed(): void;
  /** The order ended CANCELLED, with its cancellation reason (OUT_OF_STOCK, PAYMENT_DECLINED, ...). */
  cancelled(reason: string): void;
  /** A compensation could not finish in its budget: the order is NEEDS_ATTENTION. */
  needsAttention(reason: string): void;
  /** One compensation ran (e.g. releaseReservation), successfully or not. */
  compensation(name: string, ok: boolean): void;
}

export interface SagaMetricsSinks extends Sinks {
  sagaMetrics: SagaMetricsSink;
}
