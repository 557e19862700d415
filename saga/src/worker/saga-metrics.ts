/**
 * Saga metrics recorded by the worker: outcome counters fed by the workflow through sinks
 * (../workflow/metrics-sinks.ts) and the latency of every saga step (activity), reported by the
 * kit's worker telemetry through its `onActivityEnd` hook. Labels are low-cardinality only
 * (never order ids).
 */
import { metrics, type Counter, type Histogram } from '@opentelemetry/api';
import type { ActivityEnd } from '@meshcart/kit/telemetry/temporal';
import type { InjectedSinks } from '@temporalio/worker';
import type { SagaMetricsSinks } from '../workflow/metrics-sinks';

const METER_NAME = '@meshcart/saga';

interface SagaInstruments {
  started: Counter;
  confirmed: Counter;
  cancelled: Counter;
  needsAttention: Counter;
  compensations: Counter;
  stepDuration: Histogram;
}

let cached: { provider: unknown; instruments: SagaInstruments } | undefined;

/** The saga instruments of the current meter provider (created on first use, see rpc-metrics.ts). */
export function sagaInstruments(): SagaInstruments {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider) {
    const m = provider.getMeter(METER_NAME);
    cached = {
      provider,
      instruments: {
        started: m.createCounter('meshcart.saga.started', { description: 'Order sagas started' }),
        confirmed: m.createCounter('meshcart.saga.confirmed', {
          description: 'Order sagas that confirmed the order',
        }),
        cancelled: m.createCounter('meshcart.saga.cancelled', {
          description: 'Order sagas that cancelled the order, by cancellation reason',
        }),
        needsAttention: m.createCounter('meshcart.saga.needs_attention', {
          description: 'Order sagas whose compensation failed (order NEEDS_ATTENTION), by reason',
        }),
        compensations: m.createCounter('meshcart.saga.compensations', {
          description: 'Compensations run, by compensation and outcome',
        }),
        stepDuration: m.createHistogram('meshcart.saga.step.duration', {
          unit: 'ms',
          description: 'Duration of each saga step (activity execution), by activity and outcome',
        }),
      },
    };
  }
  return cached.instruments;
}

/** Records one saga step (activity attempt): the worker telemetry's `onActivityEnd`. */
export function recordSagaStep(end: ActivityEnd): void {
  sagaInstruments().stepDuration.record(end.durationMs, {
    'temporal.activity.type': end.activityType,
    'temporal.workflow.type': end.workflowType,
    outcome: end.outcome,
  });
}

/** Worker sinks behind `proxySinks<SagaMetricsSinks>().sagaMetrics` in the workflow. */
export function sagaMetricsSinks(): InjectedSinks<SagaMetricsSinks> {
  const type = (info: { workflowType: string }) => ({
    'temporal.workflow.type': info.workflowType,
  });
  return {
    sagaMetrics: {
      started: { fn: (info) => sagaInstruments().started.add(1, type(info)) },
      confirmed: { fn: (info) => sagaInstruments().confirmed.add(1, type(info)) },
      cancelled: {
        fn: (info, reason) =>
          sagaInstruments().cancelled.add(1, { ...type(info), reason: label(reason) }),
      },
      needsAttention: {
        fn: (info, reason) =>
          sagaInstruments().needsAttention.add(1, { ...type(info), reason: label(reason) }),
      },
      compensation: {
        fn: (info, name, ok) =>
          sagaInstruments().compensations.add(1, {
            ...type(info),
            compensation: label(name),
            outcome: ok ? 'ok' : 'failed',
          }),
      },
    },
  };
}

/** Reasons and step names are enum-like; anything else is folded so labels stay bounded. */
function label(v: unknown): string {
  return typeof v === 'string' && /^[A-Za-z][\w.-]{0,63}$/.test(v) ? v : 'OTHER';
}
