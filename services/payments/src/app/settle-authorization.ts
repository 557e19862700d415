/**
 * Settles a PENDING payment from what the provider says it holds (a look-up after a timeout, or
 * the reconciler): approved -> AUTHORIZED with its one AUTHORIZATION ledger row, declined ->
 * DECLINED; anything else leaves it PENDING (a retried authorize re-sends the same idempotency key,
 * so it cannot charge twice either way). `none` (proven: the provider holds nothing for this
 * payment) also moves the authorize idempotency key on to its next generation: a provider that
 * saved a failure for the old key (Stripe keeps 5xx answers for 24 h) would replay it to every
 * retry, and a new key cannot charge twice when nothing was charged. Runs under the row lock.
 */
import type { Payment } from '../domain/payment';
import type { PaymentProvider } from '../domain/payment-provider';
import type { LockedPayment } from '../store/payments.store';
import { callProvider } from './provider-call';

export type Settlement = 'authorized' | 'declined' | 'unsettled';

export async function settleFromProvider(
  p: Payment,
  tx: LockedPayment,
  deps: { provider: PaymentProvider; providerTimeoutMs: number },
  attemptedAt: Date,
): Promise<Settlement> {
  if (p.status !== 'PENDING' || !p.terms) return 'unsettled';
  const found = await callProvider(deps.providerTimeoutMs, () =>
    deps.provider.lookupAuthorization({ paymentId: p.id, attemptedAt }),
  );
  if (found.kind === 'approved') {
    await tx.update({ status: 'AUTHORIZED', providerReference: found.reference });
    await tx.appendLedger('AUTHORIZATION', p.terms.amount);
    return 'authorized';
  }
  if (found.kind === 'declined') {
    await tx.update({ status: 'DECLINED' });
    return 'declined';
  }
  if (found.kind === 'none')
    await tx.update({ authorizeKeyGeneration: p.authorizeKeyGeneration + 1 });
  return 'unsettled';
}
