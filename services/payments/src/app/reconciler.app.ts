/**
 * The reconciler: settles payments an authorize left PENDING after the provider went quiet (a
 * timeout whose immediate look-up could not tell either). Every interval it takes the PENDING
 * payments that reached the provider and have been idle for longer than `graceMs` (so it never
 * races an authorize in flight: that one holds the row lock and is younger anyway), locks each,
 * and applies what the provider holds: approved -> AUTHORIZED plus its one ledger row, declined ->
 * DECLINED, not there or undecided -> left for the next round or the caller's retry. A saga retry
 * after that answers from the row without a provider call.
 */
import type { Logger } from '@meshcart/kit';
import type { PaymentProvider } from '../domain/payment-provider';
import type { PaymentStore } from '../store/payments.store';
import { settleFromProvider, type Settlement } from './settle-authorization';

export interface ReconcilerDeps {
  store: PaymentStore;
  provider: PaymentProvider;
  providerTimeoutMs: number;
  /** Idle time before a PENDING payment is looked up (default: twice the provider timeout). */
  graceMs?: number;
  /** Payments per round (default 50). */
  batchSize?: number;
  logger: Logger;
  now?: () => Date;
}

export type Reconciler = ReturnType<typeof createReconciler>;

export function createReconciler(deps: ReconcilerDeps) {
  const graceMs = deps.graceMs ?? 2 * deps.providerTimeoutMs;
  const now = deps.now ?? (() => new Date());
  let running: Promise<unknown> | undefined;

  /** One round; answers what happened to each payment looked at. */
  async function runOnce(): Promise<Record<string, Settlement>> {
    const ids = await deps.store.listUnsettled(
      new Date(now().getTime() - graceMs),
      deps.batchSize ?? 50,
    );
    const out: Record<string, Settlement> = {};
    for (const id of ids) {
      try {
        out[id] = await deps.store.withLock(id, (p, tx) =>
          p ? settleFromProvider(p, tx, deps, p.updatedAt) : Promise.resolve('unsettled' as const),
        );
      } catch (e) {
        // One payment's failure (provider down again) must not stop the round.
        out[id] = 'unsettled';
        deps.logger.warn({ payment_id: id, err: e }, 'reconcile failed; will retry');
      }
      if (out[id] !== 'unsettled')
        deps.logger.info({ payment_id: id, outcome: out[id] }, 'pending payment reconciled');
    }
    return out;
  }

  return {
    runOnce,
    /** Runs a round every intervalMs until the returned stop() (which waits for a running round). */
    start(intervalMs: number): () => Promise<void> {
      const timer = setInterval(() => {
        if (running) return; // a slow round: skip a tick rather than overlap
        running = runOnce()
          .catch((e) => deps.logger.error({ err: e }, 'reconcile round failed'))
          .finally(() => (running = undefined));
      }, intervalMs);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await running;
      };
    },
  };
}
