/**
 * The Temporal Schedule that runs the orphan-order reconciler (workflow/reconcile-orders.workflow.ts)
 * every ORPHAN_RECONCILE_INTERVAL. Created by the saga worker at boot rather than by orders:
 * the schedule's workflow and activity live in this worker, on its task queue, and the worker is
 * the one workload the call graph lets call ReconcileOrphanOrders, so one process owns every
 * piece; orders stays unaware of any workflow but the saga.
 *
 * Idempotent: create, or - when it exists (another replica, an earlier boot) - update it to this
 * worker's settings, so a changed interval takes effect on the next rollout. Overlap SKIP: a
 * pass still running when the next is due makes that one skipped, never two at once (orders
 * is safe with concurrent passes anyway: row locks, SKIP LOCKED).
 */
import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import type { Logger } from 'pino';
import { temporalConnectionOptions } from '@meshcart/kit';
import type { WorkerConfig } from './config';
import type { payloadDataConverter } from './payload-codec';
import {
  RECONCILE_ORPHANS_WORKFLOW,
  type ReconcileOrphanOrders,
} from '../workflow/reconcile-orders.workflow';

export interface ReconcileScheduleSettings {
  scheduleId: string;
  intervalMs: number;
  taskQueue: string;
}

/** The schedule's id when ORPHAN_RECONCILE_SCHEDULE_ID is not set: one per task queue. */
export const defaultScheduleId = (taskQueue: string): string => `orphan-orders-${taskQueue}`;

function scheduleOf(
  s: ReconcileScheduleSettings,
): ScheduleUpdateOptions<ScheduleOptionsStartWorkflowAction<typeof ReconcileOrphanOrders>> {
  return {
    spec: { intervals: [{ every: s.intervalMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: RECONCILE_ORPHANS_WORKFLOW,
      workflowId: s.scheduleId, // the server appends the run's timestamp
      taskQueue: s.taskQueue,
      args: [{ maxOrders: 0 }], // orders' ORPHAN_BATCH_SIZE
      // A pass is bounded by its one activity (3 attempts of 60 s); past this it is stuck.
      workflowExecutionTimeout: '5m',
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      // Runs missed while Temporal was down are not replayed: the next pass covers them.
      catchupWindow: '1m',
      pauseOnFailure: false,
    },
    state: { paused: false },
  };
}

/** Creates the reconciler's schedule, or brings an existing one to these settings. */
export async function ensureReconcileSchedule(
  client: Client,
  settings: ReconcileScheduleSettings,
  logger?: Logger,
): Promise<'created' | 'updated'> {
  const schedule = scheduleOf(settings);
  let outcome: 'created' | 'updated';
  try {
    await client.schedule.create({ scheduleId: settings.scheduleId, ...schedule });
    outcome = 'created';
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    await client.schedule.getHandle(settings.scheduleId).update(() => schedule);
    outcome = 'updated';
  }
  logger?.info(
    { schedule_id: settings.scheduleId, interval_ms: settings.intervalMs, outcome },
    'orphan-order reconciler scheduled',
  );
  return outcome;
}

/**
 * The worker's boot step: ensures the schedule in the background (polling starts meanwhile),
 * retrying with capped backoff while Temporal refuses, until done or `signal` aborts (shutdown).
 * Never fails the worker: sagas matter more than the reconciler; a failure is logged loudly.
 */
export async function scheduleReconcilerAtBoot(
  config: WorkerConfig,
  dataConverter: ReturnType<typeof payloadDataConverter>,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  if (config.orphanReconcileIntervalMs === undefined) {
    logger.info('orphan-order reconciler schedule left alone (ORPHAN_RECONCILE_INTERVAL=off)');
    return;
  }
  const settings: ReconcileScheduleSettings = {
    scheduleId: config.orphanReconcileScheduleId || defaultScheduleId(config.taskQueue),
    intervalMs: config.orphanReconcileIntervalMs,
    taskQueue: config.taskQueue,
  };
  let delay = 1_000;
  while (!signal.aborted) {
    const connection = Connection.lazy(temporalConnectionOptions(config.temporalAddress, config));
    try {
      const client = new Client({
        connection,
        namespace: config.temporalNamespace,
        ...(dataConverter ? { dataConverter } : {}),
      });
      await ensureReconcileSchedule(client, settings, logger);
      return;
    } catch (err) {
      logger.error(
        { err, schedule_id: settings.scheduleId, retry_in_ms: delay },
        'could not schedule the orphan-order reconciler; retrying',
      );
    } finally {
      await connection.close().catch(() => undefined);
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, delay);
      signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
    delay = Math.min(delay * 2, 60_000);
  }
}
