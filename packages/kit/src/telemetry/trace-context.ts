/**
 * Reading the active span. Only @opentelemetry/api: without a started SDK every function here
 * is a cheap no-op, so handlers and tests can call them unconditionally.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { telemetryHandle } from './handle';

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
