/**
 * @meshcart/kit/telemetry/temporal: telemetry for Temporal workers and clients (tracing
 * interceptors and sinks, saga metrics sinks). Separate from the kit's main entry so that a
 * process that never touches Temporal does not load its SDK.
 */
export {
  withWorkerTelemetry,
  workflowSpanSinks,
  activityOutcome,
  WORKFLOW_TRACING_MODULE,
} from './temporal-worker';
export type { WorkerTelemetryOptions } from './temporal-worker';
export { temporalClientInterceptors } from './temporal-client';
export { sagaMetricsSinks } from './saga-metrics';
export type { SagaMetricsSink, SagaMetricsSinks } from './saga-metrics.types';
