import type { Logger } from 'pino';
import { shutdownTelemetry } from '../telemetry/handle';
import type { GrpcServer } from './grpc-server';
import { watchLifeline } from './lifeline';
import { plannedShutdownMs, runShutdownSteps, type ShutdownStep } from './shutdown-steps';

export type { ShutdownStep } from './shutdown-steps';

/** SHUTDOWN_DEADLINE_MS default (serviceConfigSpec): below the chart's terminationGracePeriodSeconds. */
export const DEFAULT_SHUTDOWN_DEADLINE_MS = 15_000;
/** How long telemetry may take to flush on the normal way out. */
const TELEMETRY_FLUSH_MS = 5_000;
/** ... and once the deadline has passed: the collector gets one short chance. */
const LATE_TELEMETRY_FLUSH_MS = 1_000;

export interface ShutdownOptions {
  /** Overall bound from the signal to exit (steps and telemetry flush). */
  deadlineMs?: number;
  /** Watch MESHCART_LIFELINE_FD and treat its loss like SIGTERM (default true). */
  lifeline?: boolean;
  /** process.exit; unit tests pass their own. */
  exit?: (code: number) => void;
}

/** The step that stops a gRPC server: NOT_SERVING, drain, then in-flight calls within grace. */
export function grpcServerStep(
  server: Pick<GrpcServer, 'shutdown'>,
  config: { shutdownDrainMs: number; shutdownGraceMs: number },
): ShutdownStep {
  return {
    name: 'grpc server',
    budgetMs: config.shutdownDrainMs + config.shutdownGraceMs,
    run: () =>
      server.shutdown({ drainMs: config.shutdownDrainMs, graceMs: config.shutdownGraceMs }),
  };
}

/**
 * On SIGTERM/SIGINT, or when the supervisor's lifeline closes, runs the named `steps` in order
 * and flushes telemetry, all within `deadlineMs`; exits 0 when everything stopped cleanly, 1
 * when a step failed. When the deadline passes first (a frozen database, a Temporal server that
 * does not answer), logs ONE line naming what it gave up on (`gave_up_on`), gives telemetry a
 * short last chance and exits 1: an orchestrator would SIGKILL us soon anyway, and locally
 * nobody may be left to do it. A second signal exits at once. Returns a function that removes
 * the handlers (tests).
 */
export function onShutdownSignal(
  logger: Logger,
  stop: readonly ShutdownStep[] | (() => Promise<void>),
  opts: ShutdownOptions = {},
): () => void {
  const deadlineMs = opts.deadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const steps: ShutdownStep[] =
    typeof stop === 'function' ? [{ name: 'stop', run: stop }] : [...stop];
  steps.push({ name: 'telemetry', run: () => shutdownTelemetry(TELEMETRY_FLUSH_MS) });
  const planned = plannedShutdownMs(steps);
  if (planned >= deadlineMs)
    logger.warn(
      { planned_ms: planned, deadline_ms: deadlineMs },
      'shutdown steps may need longer than the shutdown deadline',
    );

  let called = false;
  const begin = (cause: { signal: NodeJS.Signals } | { reason: 'lifeline lost' }) => {
    if (called) {
      // A second Ctrl-C means "now"; a lifeline lost while stopping changes nothing.
      if ('signal' in cause) exit(1);
      return;
    }
    called = true;
    logger.info({ ...cause, deadline_ms: deadlineMs }, 'shutting down');
    void runShutdownSteps(steps, deadlineMs).then(async (outcome) => {
      for (const f of outcome.failed)
        logger.error({ err: f.err, step: f.name }, 'shutdown step failed');
      if (outcome.completed) return exit(outcome.failed.length > 0 ? 1 : 0);
      // The step that hung and those never reached; telemetry only if it was the one that hung,
      // since it still gets its short flush below.
      const gaveUpOn = outcome.gaveUpOn.filter((name, i) => i === 0 || name !== 'telemetry');
      logger.error(
        { gave_up_on: gaveUpOn, deadline_ms: deadlineMs, elapsed_ms: outcome.elapsedMs },
        'shutdown deadline passed: forcing exit',
      );
      // A no-op when the telemetry step itself was what hung (it already took the handle).
      await shutdownTelemetry(LATE_TELEMETRY_FLUSH_MS);
      exit(1);
    });
  };
  const onSignal = (signal: NodeJS.Signals) => begin({ signal });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const unwatch =
    opts.lifeline === false
      ? () => undefined
      : watchLifeline(() => begin({ reason: 'lifeline lost' }));
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    unwatch();
  };
}
