/**
 * Reading and annotating the active span. Only @opentelemetry/api: without a started SDK every
 * function here is a cheap no-op, so handlers and tests can call them unconditionally.
 */
import { isSpanContextValid, trace, type Span } from '@opentelemetry/api';
import { telemetryHandle } from './handle';

/** Span attribute carrying the order id (saga spans, orders RPC spans, the calls they make). */
export const ORDER_ID_ATTR = 'meshcart.order_id';

/** Order id of a saga workflow id (`order-<orderId>`, see workflows/src/contract.ts). */
export function orderIdOfWorkflowId(workflowId: unknown): string | undefined {
  if (typeof workflowId !== 'string') return undefined;
  const m = /^order-(.{1,64})$/.exec(workflowId);
  return m?.[1];
}

/** True when this process exports spans (the preload started the SDK with a span exporter). */
export function tracingEnabled(): boolean {
  return (telemetryHandle()?.spanProcessors.length ?? 0) > 0;
}

/** trace_id / span_id of the active span, for log lines; {} outside any span. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const ctx = trace.getActiveSpan()?.spanContext();
  if (!ctx || !isSpanContextValid(ctx)) return {};
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}

/** Tags the active span (or `span`) with the order id; ignores empty ids. */
export function tagOrderId(orderId: string | undefined, span?: Span): void {
  if (!orderId) return;
  (span ?? trace.getActiveSpan())?.setAttribute(ORDER_ID_ATTR, orderId);
}
