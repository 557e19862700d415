/**
 * Orphan orders: PENDING orders whose saga never started (Temporal down at PlaceOrder, the
 * process killed between the insert and the start). Whether an order has a saga is Temporal's
 * answer, never guessed here; this only decides what to do with one that has none.
 */

/** The reconciler's bounds (config.ts: ORPHAN_GRACE, ORPHAN_MAX_AGE, ORPHAN_BATCH_SIZE). */
export interface OrphanPolicy {
  graceMs: number;
  maxAgeMs: number;
  batchSize: number;
}

/** Defaults (the config's): 60 s grace, 1 h max age (the vault's default lifetime), 20 per call. */
export const DEFAULT_ORPHAN_POLICY: Readonly<OrphanPolicy> = Object.freeze({
  graceMs: 60_000,
  maxAgeMs: 3_600_000,
  batchSize: 20,
});

/** Why an orphan cannot get its saga any more (ReconciledOrder.detail). */
export type CannotStart = 'NO_PAYMENT_METHOD' | 'PAYMENT_METHOD_EXPIRED' | 'MAX_AGE_EXCEEDED';

export type OrphanDecision =
  { action: 'start'; paymentMethodId: string } | { action: 'cancel'; why: CannotStart };

/** What the decision looks at: the order's age and its vaulted payment method. */
export interface OrphanFacts {
  createTime: Date;
  paymentMethodId: string | null;
  /** Null when unknown (orders placed before the expiry was kept): payments decides then. */
  paymentMethodExpireTime: Date | null;
}

/**
 * Start the saga when it can still succeed; cancel when it cannot: no payment method (placed
 * before vaulting), a payment method the vault no longer resolves, or an order so old that the
 * customer has moved on (starting it now would surprise them with a charge).
 */
export function decideOrphan(facts: OrphanFacts, now: Date, policy: OrphanPolicy): OrphanDecision {
  if (now.getTime() - facts.createTime.getTime() > policy.maxAgeMs)
    return { action: 'cancel', why: 'MAX_AGE_EXCEEDED' };
  if (!facts.paymentMethodId) return { action: 'cancel', why: 'NO_PAYMENT_METHOD' };
  if (facts.paymentMethodExpireTime && facts.paymentMethodExpireTime.getTime() <= now.getTime())
    return { action: 'cancel', why: 'PAYMENT_METHOD_EXPIRED' };
  return { action: 'start', paymentMethodId: facts.paymentMethodId };
}

/** How many orders one call examines: the request may ask for fewer than the policy's batch. */
export const orphanBatchOf = (requested: number, policy: OrphanPolicy): number =>
  requested > 0 ? Math.min(requested, policy.batchSize) : policy.batchSize;
