/**
 * The orphan-order reconciler: one pass per run, started by the Temporal Schedule the worker
 * creates at boot (worker/reconcile-schedule.ts; overlap SKIP, so passes never pile up). It is
 * a workflow rather than a timer in some process so that exactly one pass runs per interval
 * however many workers there are, and a pass survives a worker restart. Sandbox-safe: the
 * activity is imported as a type only.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ReconcileActivities, ReconcileSummary } from '../activities/reconcile.activities';

/** Workflow type name (the schedule's action). */
export const RECONCILE_ORPHANS_WORKFLOW = 'ReconcileOrphanOrders';

/**
 * A pass that fails (orders or Temporal unreachable) is retried a few times, then given up:
 * the next scheduled run tries again, so nothing needs to wait longer than an interval.
 */
const { reconcileOrphanOrders } = proxyActivities<ReconcileActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 3 },
});

export async function ReconcileOrphanOrders(
  input: { maxOrders: number } = { maxOrders: 0 },
): Promise<ReconcileSummary> {
  return reconcileOrphanOrders(input);
}
