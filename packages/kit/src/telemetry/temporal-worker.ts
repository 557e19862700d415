/**
 * Tracing and trace-correlated logs for a Temporal worker, in one call:
 *
 *   const worker = await Worker.create(withWorkerTelemetry({ ...options }, { logger }));
 *
 * It adds the OpenTelemetry workflow interceptors (RunWorkflow / StartActivity spans, context in
 * activity headers), the activity interceptors (RunActivity spans, trace ids on activity log
 * lines), a sink that hands workflow spans to this process's SDK, and an activity interceptor
 * that tags spans and log lines with the declared correlations (correlation.ts), logs one line
 * per activity and reports each activity's duration and outcome to `onActivityEnd` (where a
 * workflow package records its own step metrics). Everything is a no-op for export when no SDK
 * was started.
 */
import { createTraceState, trace, type Attributes, type SpanContext } from '@opentelemetry/api';
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
import { declareCorrelations, workflowCorrelations, type Correlation } from './correlation';

/**
 * Workflow interceptor module of @temporalio/interceptors-opentelemetry. Workers that load a
 * prebuilt bundle (`workflowBundle`) must bundle it in: `bundleWorkflowCode({ workflowsPath,
 * workflowInterceptorModules: [WORKFLOW_TRACING_MODULE] })`.
 */
export const WORKFLOW_TRACING_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** One finished activity attempt, as `onActivityEnd` sees it. */
export interface ActivityEnd {
  activityType: string;
  workflowType: string;
  outcome: ActivityOutcome;
  durationMs: number;
}

export interface WorkerTelemetryOptions {
  /** Where the one-line-per-activity log goes (trace ids added by the kit logger's mixin). */
  logger?: Logger;
  /** Correlations the workflow ids encode (declared for the whole process, see correlation.ts). */
  correlations?: readonly Correlation[];
  /** Called after every activity attempt (metrics); must not throw. */
  onActivityEnd?: (end: ActivityEnd) => void;
}

/** Adds tracing and activity logging to Worker.create options (see file comment). */
export function withWorkerTelemetry<T extends WorkerOptions>(
  options: T,
  telemetry: WorkerTelemetryOptions = {},
): T {
  declareCorrelations(telemetry.correlations);
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
        activityTelemetry(telemetry),
        ...(interceptors.activity ?? []),
      ],
    },
    sinks: { ...options.sinks, ...workflowSpanSinks() },
  };
}

const tracingActivityInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

export type ActivityOutcome = 'ok' | 'business_failure' | 'cancelled' | 'error';

/** How an activity attempt ended, as a metric label. */
export function activityOutcome(err: unknown): ActivityOutcome {
  if (err === undefined) return 'ok';
  if (err instanceof CancelledFailure) return 'cancelled';
  if (err instanceof ApplicationFailure && err.nonRetryable) return 'business_failure';
  return 'error'; // retried by Temporal
}

class ActivityTelemetryInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: ActivityContext,
    private readonly telemetry: WorkerTelemetryOptions,
  ) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const { info } = this.ctx;
    const workflowId = info.workflowExecution?.workflowId;
    const span = trace.getActiveSpan();
    for (const [attr, id] of Object.entries(workflowCorrelations(workflowId, 'spanAttribute')))
      span?.setAttribute(attr, id);
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
      const { logger, onActivityEnd } = this.telemetry;
      onActivityEnd?.({
        activityType: info.activityType,
        workflowType: info.workflowType ?? 'none',
        outcome,
        durationMs: ms,
      });
      const line = {
        activity: info.activityType,
        attempt: info.attempt,
        workflow_id: workflowId,
        ...workflowCorrelations(workflowId, 'logKey'),
        outcome,
        ms: Math.round(ms * 10) / 10,
        ...(error ? { err: error } : {}),
      };
      if (outcome === 'error') logger?.warn(line, 'activity failed');
      else logger?.info(line, 'activity done');
    }
  }
}

function activityTelemetry(telemetry: WorkerTelemetryOptions): ActivityInterceptorsFactory {
  return (ctx) => ({ inbound: new ActivityTelemetryInterceptor(ctx, telemetry) });
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
            ...workflowCorrelations(info.workflowId, 'spanAttribute'),
          };
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
