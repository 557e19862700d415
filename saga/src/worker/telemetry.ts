/**
 * The saga worker's telemetry: the kit's worker telemetry (tracing, per-activity log lines)
 * with the order id as its correlation, the saga metrics sinks the workflow calls, and every
 * activity's duration recorded as a saga step. The real worker, the test environments and the
 * freeze reproduction all wrap their Worker.create options with it.
 */
import { withWorkerTelemetry } from '@meshcart/kit/telemetry/temporal';
import type { WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { orderCorrelation } from '../contract/correlation';
import { recordSagaStep, sagaMetricsSinks } from './saga-metrics';

export function withSagaTelemetry<T extends WorkerOptions>(options: T, logger?: Logger): T {
  return withWorkerTelemetry(
    { ...options, sinks: { ...options.sinks, ...sagaMetricsSinks() } },
    { logger, correlations: [orderCorrelation], onActivityEnd: recordSagaStep },
  );
}
