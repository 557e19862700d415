/**
 * @meshcart/kit/telemetry/temporal: telemetry for Temporal workers and clients (tracing
 * interceptors and sinks, correlated activity logs, an activity-end hook for metrics). Separate
 * from the kit's main entry so that a process that never touches Temporal does not load its SDK.
 */
export {
  withWorkerTelemetry,
  workflowSpanSinks,
  activityOutcome,
  WORKFLOW_TRACING_MODULE,
} from './temporal-worker';
export type { ActivityEnd, ActivityOutcome, WorkerTelemetryOptions } from './temporal-worker';
export { temporalClientInterceptors } from './temporal-client';
