/**
 * Tracing, saga metrics and trace-correlated logs for a Temporal worker, in one call:
 *
 *   const worker = await Worker.create(withWorkerTelemetry({ ...options }, { logger }));
 *
 * It adds the OpenTelemetry workflow interceptors (RunWorkflow / StartActivity spans, context in
 * activity headers), the activity interceptors (RunActivity spans, trace ids on activity log
 * lines), a sink that hands workflow spans to this process's SDK, the saga metrics sinks and an
 * activity interceptor recording step latency, tagging spans with the order id and logging one
 * line per activity. Everything is a no-op for export when no SDK was started.
 */
import { createTraceState, type Attributes, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type {
  OpenTelemetrySinks,
  SerializableSpan,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { Context as ActivityContext } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  InjectedSinks,
  Next,
  WorkerOptions,
} from '@temporalio/worker';
import type { Logger } from 'pino';
import { telemetryHandle } from './handle';
import { sagaInstruments, sagaMetricsSinks } from './saga-metrics';
import { ORDER_ID_ATTR, orderIdOfWorkflowId, tagOrderId } from './trace-context';

/**
 * Workflow interceptor module of @temporalio/interceptors-opentelemetry. Workers that load a
 * prebuilt bundle (`workflowBundle`) must bundle it in: `bundleWorkflowCode({ workflowsPath,
 * workflowInterceptorModules: [WORKFLOW_TRACING_MODULE] })`.
 */
export const WORKFLOW_TRACING_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface WorkerTelemetryOptions {
  /** Where the one-line-per-activity log goes (trace ids added by the kit logger's mixin). */
  logger?: Logger;
}

/** Adds tracing, saga metrics and activity logging to Worker.create options (see file comment). */
export function withWorkerTelemetry<T extends WorkerOptions>(
  options: T,
  telemetry: WorkerTelemetryOptions = {},
): T {
  const interceptors = options.interceptors ?? {};
  return {
    ...options,
    interceptors: {
      ...interceptors,
      // A prebuilt bundle already contains its interceptors (bundleWorkflowCode, see above).
      ...(options.workflowBundle
        ? {}
        : { workflowModules: [WORKFLOW_TRACING_MODULE, ...(interceptors.workflowModules ?? [])] }),
      // First is outermost: the RunActivity span is active inside the kit's interceptor.
      activity: [
        tracingActivityInterceptors,
        activityTelemetry(telemetry.logger),
        ...(interceptors.activity ?? []),
      ],
    },
    sinks: { ...options.sinks, ...workflowSpanSinks(), ...sagaMetricsSinks() },
  };
}

const tracingActivityInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/** How an activity attempt ended, as a metric label. */
export function activityOutcome(err: unknown): 'ok' | 'business_failure' | 'cancelled' | 'error' {
  if (err === undefined) return 'ok';
  if (err instanceof CancelledFailure) return 'cancelled';
  if (err instanceof ApplicationFailure && err.nonRetryable) return 'business_failure';
  return 'error'; // retried by Temporal
}

class ActivityTelemetryInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: ActivityContext,
    private readonly logger: Logger | undefined,
  ) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const { info } = this.ctx;
    const orderId = orderIdOfWorkflowId(info.workflowExecution?.workflowId);
    tagOrderId(orderId);
    const started = performance.now();
    let error: unknown;
    try {
      return await next(input);
    } catch (e) {
      error = e;
      throw e;
    } finally {
      const ms = performance.now() - started;
      const outcome = activityOutcome(error);
      sagaInstruments().stepDuration.record(ms, {
        'temporal.activity.type': info.activityType,
        'temporal.workflow.type': info.workflowType ?? 'none',
        outcome,
      });
      const line = {
        activity: info.activityType,
        attempt: info.attempt,
        workflow_id: info.workflowExecution?.workflowId,
        ...(orderId ? { order_id: orderId } : {}),
        outcome,
        ms: Math.round(ms * 10) / 10,
        ...(error ? { err: error } : {}),
      };
      if (outcome === 'error') this.logger?.warn(line, 'activity failed');
      else this.logger?.info(line, 'activity done');
    }
  }
}

function activityTelemetry(logger: Logger | undefined): ActivityInterceptorsFactory {
  return (ctx) => ({ inbound: new ActivityTelemetryInterceptor(ctx, logger) });
}

/**
 * Workflow spans are made inside the sandbox (OTel 1.x shapes) and arrive here through the
 * `exporter` sink; they are converted to the 2.x shape and given to this process's span
 * processors, with this process's resource and the workflow's ids as attributes (Temporal's own
 * sink would copy the whole WorkflowInfo, memo included, into the attributes).
 */
export function workflowSpanSinks(): InjectedSinks<OpenTelemetrySinks> {
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          const h = telemetryHandle();
          if (!h || h.spanProcessors.length === 0) return;
          const extra: Attributes = {
            temporalWorkflowId: info.workflowId,
            run_id: info.runId,
          };
          const orderId = orderIdOfWorkflowId(info.workflowId);
          if (orderId) extra[ORDER_ID_ATTR] = orderId;
          for (const s of spans) {
            const span = fromWorkflowSpan(s, h.resource, extra);
            for (const p of h.spanProcessors) p.onEnd(span);
          }
        },
      },
    },
  };
}

function fromWorkflowSpan(
  s: SerializableSpan,
  resource: ReadableSpan['resource'],
  extra: Attributes,
): ReadableSpan {
  const { traceState, ...rest } = s.spanContext;
  const ctx: SpanContext = {
    ...rest,
    ...(traceState ? { traceState: createTraceState(traceState) } : {}),
  };
  return {
    name: s.name,
    kind: s.kind,
    spanContext: () => ctx,
    parentSpanContext: s.parentSpanId
      ? { traceId: ctx.traceId, spanId: s.parentSpanId, traceFlags: ctx.traceFlags }
      : undefined,
    startTime: s.startTime,
    endTime: s.endTime,
    status: s.status,
    attributes: { ...s.attributes, ...extra },
    links: s.links,
    events: s.events,
    duration: s.duration,
    ended: true,
    resource,
    instrumentationScope: s.instrumentationLibrary ?? { name: '@temporalio/interceptor-workflow' },
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
  };
}
