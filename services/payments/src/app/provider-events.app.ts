/**
 * Applies asynchronous provider outcomes (webhook events) to payments, once per event id:
 *
 *   authorization confirmed later  (PENDING + payment_intent.amount_capturable_updated/succeeded)
 *       -> AUTHORIZED with its one AUTHORIZATION ledger row (what the reconciler would do)
 *   authorization failed later     (PENDING + payment_intent.payment_failed/canceled) -> DECLINED
 *   money already moved and the provider reports trouble (a dispute opened or closed, a failed
 *   capture or refund, an authorization that expired at the provider)
 *       -> `attention`: recorded in provider_events and logged at warn with the payment id, for an
 *          operator (or a saga signal) to act on; the ledger only ever records our own movements.
 *   anything else                  -> `ignored` (recorded, so redeliveries are cheap)
 * The event row is written in the same transaction as its effect: a redelivered event is a no-op.
 */
import type { Logger } from '@meshcart/kit';
import type { Payment } from '../domain/payment';
import type { PaymentStore } from '../store/payments.store';

/** A provider event reduced to what payments acts on (the webhook endpoint builds it). */
export interface ProviderEvent {
  provider: string;
  eventId: string;
  type: string;
  /** Our payment id when the provider echoes it (PaymentIntent metadata). */
  paymentId: string | null;
  /** The provider object's reference (PaymentIntent id) when the event names one. */
  reference: string | null;
}

export type EventOutcome = 'authorized' | 'declined' | 'attention' | 'ignored' | 'duplicate';

const CONFIRMED = new Set(['payment_intent.amount_capturable_updated', 'payment_intent.succeeded']);
const FAILED = new Set(['payment_intent.payment_failed', 'payment_intent.canceled']);
const TROUBLE = new Set([
  'charge.dispute.created',
  'charge.dispute.closed',
  'charge.dispute.funds_withdrawn',
  'charge.refund.updated',
  'refund.failed',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'charge.expired',
]);

/** What an event does to a payment in its current state. */
export function planEvent(p: Payment, type: string): Exclude<EventOutcome, 'duplicate'> {
  if (p.status === 'PENDING' && p.terms) {
    if (CONFIRMED.has(type)) return 'authorized';
    if (FAILED.has(type)) return 'declined';
    return 'ignored';
  }
  if (p.status !== 'DECLINED' && p.status !== 'PENDING' && TROUBLE.has(type)) {
    // A void we asked for is answered by payment_intent.canceled: expected, not trouble.
    if (p.status === 'VOIDED' && type === 'payment_intent.canceled') return 'ignored';
    return 'attention';
  }
  return 'ignored';
}

export function createProviderEventsApp(deps: { store: PaymentStore; logger: Logger }) {
  return {
    async apply(e: ProviderEvent): Promise<EventOutcome> {
      const paymentId =
        e.paymentId ?? (e.reference ? await deps.store.idByReference(e.reference) : null);
      const record = (outcome: string) => ({
        eventId: e.eventId,
        provider: e.provider,
        type: e.type,
        outcome,
      });
      if (!paymentId)
        return (await deps.store.recordUnmatchedEvent(record('ignored'))) ? 'ignored' : 'duplicate';
      const outcome = await deps.store.withLock(paymentId, async (p, tx) => {
        if (!p) return null; // metadata naming a payment we do not have
        const planned = planEvent(p, e.type);
        if (!(await tx.recordEvent(record(planned)))) return 'duplicate' as const;
        if (planned === 'authorized' && p.terms && e.reference) {
          await tx.update({ status: 'AUTHORIZED', providerReference: e.reference });
          await tx.appendLedger('AUTHORIZATION', p.terms.amount);
        } else if (planned === 'declined') await tx.update({ status: 'DECLINED' });
        return planned;
      });
      if (outcome === null)
        return (await deps.store.recordUnmatchedEvent(record('ignored'))) ? 'ignored' : 'duplicate';
      if (outcome === 'attention')
        deps.logger.warn(
          { payment_id: paymentId, event_type: e.type, event_id: e.eventId },
          'payment needs attention: the provider reported a problem after money moved',
        );
      return outcome;
    },
  };
}
