/**
 * The orphan-order reconciler's one activity: asks orders to recover its orphan orders
 * (OrderSagaService.ReconcileOrphanOrders, callable only by the saga worker per the call graph).
 * Orders does the work under its row locks and answers per order; this only summarizes.
 */
import { log } from '@temporalio/activity';
import type { TypedClient } from '@meshcart/kit';
import {
  ReconcileOutcome,
  type OrderSagaServiceService,
} from '@meshcart/proto/shop/orders/v1/orders';

/** What one reconciliation pass did (plain data: it is recorded in the workflow history). */
export interface ReconcileSummary {
  started: number;
  cancelled: number;
  sagaExists: number;
  skipped: number;
}

export interface ReconcileActivities {
  /** One bounded pass; `maxOrders` 0 means orders' ORPHAN_BATCH_SIZE. */
  reconcileOrphanOrders(input: { maxOrders: number }): Promise<ReconcileSummary>;
}

/**
 * Deadline of the call: longer than the saga's per-call 4 s (a pass is a batch of Temporal
 * round trips, each under a row lock), shorter than the activity's startToClose. Orders stops
 * taking new orders ~2 s before it and leaves them to the next pass.
 */
export const RECONCILE_CALL_TIMEOUT_MS = 45_000;

export function createReconcileActivities(deps: {
  orderSaga: TypedClient<typeof OrderSagaServiceService>;
}): ReconcileActivities {
  return {
    async reconcileOrphanOrders({ maxOrders }) {
      const res = await deps.orderSaga.reconcileOrphanOrders(
        { maxOrders },
        { timeoutMs: RECONCILE_CALL_TIMEOUT_MS },
      );
      const count = (o: ReconcileOutcome) => res.orders.filter((r) => r.outcome === o).length;
      const summary = {
        started: count(ReconcileOutcome.RECONCILE_OUTCOME_SAGA_STARTED),
        cancelled: count(ReconcileOutcome.RECONCILE_OUTCOME_CANCELLED),
        sagaExists: count(ReconcileOutcome.RECONCILE_OUTCOME_SAGA_EXISTS),
        skipped: count(ReconcileOutcome.RECONCILE_OUTCOME_SKIPPED),
      };
      if (summary.started + summary.cancelled > 0)
        log.info('orphan orders reconciled', { ...summary });
      return summary;
    },
  };
}
