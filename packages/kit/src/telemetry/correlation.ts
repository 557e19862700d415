/**
 * Correlations: a business id that ties together the spans and log lines of one flow across
 * processes (a request field, a response field, a Temporal workflow id). The kit knows only
 * the shape; the flow's owner declares one, and the process registers it once at start-up
 * (runService's `correlations`, withWorkerTelemetry's `correlations`). Then:
 *
 * - every unary call whose request (or, failing that, response) carries the id gets the span
 *   attribute on its server span and the log key on every line its handler logs;
 * - spans carrying Temporal's `temporalWorkflowId` (StartWorkflow, RunActivity, workflow spans)
 *   get the span attribute when the workflow id encodes the id;
 * - the worker's one-line-per-activity log gets the log key.
 *
 * Only @opentelemetry/api: without a started SDK tagging is a cheap no-op.
 */
import { trace, type Span } from '@opentelemetry/api';

export interface Correlation {
  /** Span attribute the id is written to, e.g. `meshcart.cart_id`. */
  readonly spanAttribute: string;
  /** Log key (snake_case, as the kit binds), e.g. `cart_id`. */
  readonly logKey: string;
  /** The id a request message carries (undefined: none). Runs on every call: keep it cheap. */
  ofRequest(message: unknown): string | undefined;
  /** The id a response carries, read only when the request had none (a create call). */
  ofResponse?(message: unknown): string | undefined;
  /** The id a workflow id encodes, for spans and log lines of Temporal workflows/activities. */
  ofWorkflowId?(workflowId: string): string | undefined;
}

const declared: Correlation[] = [];

/** Registers correlations for this process (idempotent; the chassis and the worker call it). */
export function declareCorrelations(correlations: readonly Correlation[] = []): void {
  for (const c of correlations) if (!declared.includes(c)) declared.push(c);
}

/** The correlations this process registered, in registration order. */
export function declaredCorrelations(): readonly Correlation[] {
  return declared;
}

/** A string field of a message as a correlation id: non-empty, at most 64 characters. */
export function idField(message: unknown, key: string): string | undefined {
  const v = (message as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : undefined;
}

/** Writes `value` to the active span (or `span`) under the correlation's attribute. */
export function tagCorrelation(c: Correlation, value: string | undefined, span?: Span): void {
  if (!value) return;
  (span ?? trace.getActiveSpan())?.setAttribute(c.spanAttribute, value);
}

/**
 * What a workflow id encodes, one entry per declared correlation that reads it: keyed by span
 * attribute (for spans) or by log key (for log lines).
 */
export function workflowCorrelations(
  workflowId: unknown,
  key: 'spanAttribute' | 'logKey',
): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof workflowId !== 'string') return out;
  for (const c of declared) {
    const id = c.ofWorkflowId?.(workflowId);
    if (id) out[c[key]] = id;
  }
  return out;
}
