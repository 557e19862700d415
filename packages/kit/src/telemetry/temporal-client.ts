/**
 * Tracing for a Temporal Client: StartWorkflow / StartWorkflowUpdate / ... spans under the
 * caller's span, and the trace context written into the workflow headers, so the workflow joins
 * the caller's trace.
 *
 *   new Client({ connection, namespace, interceptors: temporalClientInterceptors() })
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';

export function temporalClientInterceptors(): { workflow: WorkflowClientInterceptor[] } {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}
