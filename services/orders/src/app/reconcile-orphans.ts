import { metrics, type Counter } from '@opentelemetry/api';
import { ErrorReason, errors, reasonToWire, type CallContext } from '@meshcart/kit';
import { decideOrphan, orphanBatchOf, type CannotStart, type OrphanPolicy } from '../domain/orphan';
import { sagaInputOf, type SagaGateway } from '../saga/saga-gateway';
import { lockedCallDeadline, type OrdersStore } from '../store/orders.store';

export type ReconcileOutcome = 'SAGA_STARTED' | 'CANCELLED' | 'SAGA_EXISTS' | 'SKIPPED';

export interface ReconciledOrder {
  orderId: string;
  outcome: ReconcileOutcome;
  /** Why it was cancelled; empty otherwise. */
  detail: CannotStart | '';
}

export interface ReconcileDeps {
  store: OrdersStore;
  saga: SagaGateway;
  now?: () => Date;
}

/** The cancellation reason of an order whose saga never started and cannot start. */
const SAGA_NOT_STARTED = reasonToWire(ErrorReason.ERROR_REASON_SAGA_NOT_STARTED);

/**
 * Orders left unexamined when less than this is left of the call's deadline: an order is one
 * describe plus at most one start (each bounded by the gateway), and the rest waits for the
 * next scheduled run rather than being cut off mid-way.
 */
const DEADLINE_RESERVE_MS = 2_000;

let counter: { provider: unknown; counter: Counter } | undefined;

/** Counts every reconciled order by outcome (the log line has the order id; labels never do). */
function reconciled(): Counter {
  const provider = metrics.getMeterProvider();
  if (counter?.provider !== provider) {
    const c = provider
      .getMeter('@meshcart/orders')
      .createCounter('meshcart.orders.orphans.reconciled', {
        description: 'Orphan candidates examined by the reconciler, by outcome',
      });
    counter = { provider, counter: c };
  }
  return counter.counter;
}

/**
 * Recovers orphan orders (ReconcileOrphanOrders): the oldest PENDING orders past the grace
 * period with no saga progress, one at a time under the order's row lock (rows another
 * reconciler or a PlaceOrder repeat holds are skipped, so two runs at once never act twice).
 * "No saga" is Temporal's answer (describe: not found), never inferred from age; an order
 * whose saga exists is only marked so it is not examined again. An orphan gets its saga with
 * the same idempotent start and input PlaceOrder uses, or is CANCELLED SAGA_NOT_STARTED when
 * it cannot (domain/orphan.ts). A Temporal failure ends the call (UNAVAILABLE; the schedule's
 * next run retries); what was done so far stays done.
 */
export async function reconcileOrphanOrders(
  deps: ReconcileDeps,
  policy: OrphanPolicy,
  maxOrders: number,
  ctx: CallContext,
): Promise<ReconciledOrder[]> {
  if (!Number.isInteger(maxOrders) || maxOrders < 0)
    throw errors.invalidArgument([{ field: 'maxOrders', description: 'must be 0 or more' }]);
  const now = (deps.now ?? (() => new Date()))();
  const ids = await deps.store.findOrphanCandidates(
    new Date(now.getTime() - policy.graceMs),
    orphanBatchOf(maxOrders, policy),
  );
  const done: ReconciledOrder[] = [];
  for (const orderId of ids) {
    if (ctx.deadline && ctx.deadline.getTime() - Date.now() < DEADLINE_RESERVE_MS) break;
    const result = await reconcileOne(deps, policy, now, orderId, ctx);
    reconciled().add(1, { outcome: result.outcome });
    done.push(result);
  }
  if (done.length > 0) {
    ctx.logger.info(
      { examined: done.length, candidates: ids.length },
      'orphan reconciliation pass done',
    );
  }
  return done;
}

async function reconcileOne(
  deps: ReconcileDeps,
  policy: OrphanPolicy,
  now: Date,
  orderId: string,
  ctx: CallContext,
): Promise<ReconciledOrder> {
  const result = await deps.store.withPendingOrder(
    orderId,
    { skipLocked: true },
    async (locked, writes): Promise<ReconciledOrder> => {
      const opts = { deadline: lockedCallDeadline(ctx.deadline) };
      if (await deps.saga.exists(orderId, opts)) {
        await writes.markSagaSeen();
        return { orderId, outcome: 'SAGA_EXISTS', detail: '' };
      }
      const decision = decideOrphan(locked, now, policy);
      if (decision.action === 'start') {
        await deps.saga.start(sagaInputOf(locked.order, decision.paymentMethodId), opts);
        await writes.markSagaSeen();
        ctx.logger.info(
          { order_id: orderId, created: locked.createTime.toISOString() },
          'orphan order recovered: saga started',
        );
        return { orderId, outcome: 'SAGA_STARTED', detail: '' };
      }
      await writes.cancel(SAGA_NOT_STARTED);
      ctx.logger.warn(
        { order_id: orderId, why: decision.why, created: locked.createTime.toISOString() },
        'orphan order cancelled: its saga cannot start',
      );
      return { orderId, outcome: 'CANCELLED', detail: decision.why };
    },
  );
  return result ?? { orderId, outcome: 'SKIPPED', detail: '' };
}

const CANCELLED_BY_CUSTOMER = reasonToWire(ErrorReason.ERROR_REASON_CANCELLED_BY_CUSTOMER);

/**
 * CancelOrder on an orphan: no saga exists to ask, so the order is cancelled here
 * (CANCELLED_BY_CUSTOMER), rather than making the customer wait for the reconciler. Only past
 * the grace period, for the reconciler's reason: a younger order's PlaceOrder may still be
 * starting its saga. Under the order's lock, and only when Temporal confirms there is no saga.
 * True when it cancelled the order.
 */
export async function cancelOrphanForCustomer(
  deps: ReconcileDeps,
  policy: OrphanPolicy,
  orderId: string,
  ctx: CallContext,
): Promise<boolean> {
  const now = (deps.now ?? (() => new Date()))();
  const cancelled = await deps.store.withPendingOrder(
    orderId,
    { skipLocked: false },
    async (locked, writes) => {
      if (now.getTime() - locked.createTime.getTime() <= policy.graceMs) return false;
      const deadline = lockedCallDeadline(ctx.deadline);
      if (await deps.saga.exists(orderId, { deadline })) return false;
      await writes.cancel(CANCELLED_BY_CUSTOMER);
      ctx.logger.info({ order_id: orderId }, 'orphan order cancelled by its customer');
      reconciled().add(1, { outcome: 'CANCELLED_BY_CUSTOMER' });
      return true;
    },
  );
  return cancelled ?? false;
}
