/**
 * The payments use cases: the domain plans, run under the payment's row lock, with the
 * provider called while the lock is held.
 *
 * Why the lock is held across the provider call (instead of committing PENDING, calling the
 * provider unlocked, and recording the outcome in a second transaction): every concurrent
 * repeat queues on the row lock and then answers from what the first call committed, so the
 * provider is called exactly once and every caller gets the same answer; there is no
 * "in progress" state to expire, reclaim or report. The cost is one pooled DB connection held
 * per payment in flight for the provider's latency, bounded by PAYMENT_PROVIDER_TIMEOUT_MS
 * (well under innodb_lock_wait_timeout). If the process dies mid-call the transaction rolls
 * back and the row stays PENDING; the retry calls the provider again with the same payment id,
 * which a real PSP treats as its idempotency key.
 */
import { createHash } from 'node:crypto';
import { DomainError, ErrorReason, errors } from '@meshcart/kit';
import { planAuthorize, planCapture, planRefund, planVoid, type Payment } from '../domain/payment';
import type { PaymentProvider } from '../domain/payment-provider';
import type { AuthorizeCommand, RefundCommand } from '../domain/payments.validation';
import type { LockedPayment, PaymentStore } from '../store/payments.store';
import { callProvider, isOutcomeUnknown, isProviderUnavailable } from './provider-call';
import { settleFromProvider } from './settle-authorization';

export interface PaymentsAppDeps {
  store: PaymentStore;
  provider: PaymentProvider;
  providerTimeoutMs: number;
  /** A vaulted payment method's token (vault.app.ts); fails NOT_FOUND/FAILED_PRECONDITION. */
  resolvePaymentMethod: (paymentMethodId: string) => Promise<string>;
}

export type PaymentsApp = ReturnType<typeof createPaymentsApp>;

/** The stored token fingerprint: salted with the payment id, the token itself is never kept. */
export function tokenHash(paymentId: string, token: string): string {
  return createHash('sha256').update(`${paymentId}\u0000${token}`).digest('hex');
}

/**
 * The fingerprint of what an authorize charges: the token's, or the payment method id's (so a
 * repeat is recognised without resolving the method, which may have expired by then).
 */
export function sourceHash(paymentId: string, source: AuthorizeCommand['source']): string {
  return 'token' in source
    ? tokenHash(paymentId, source.token)
    : tokenHash(paymentId, source.paymentMethodId);
}

const declined = (paymentId: string) =>
  errors.failedPrecondition(ErrorReason.ERROR_REASON_PAYMENT_DECLINED, {
    metadata: { paymentId },
  });

export function createPaymentsApp(deps: PaymentsAppDeps) {
  const { store, provider, providerTimeoutMs, resolvePaymentMethod } = deps;
  const call = <T>(fn: () => Promise<T>) => callProvider(providerTimeoutMs, fn);

  /** Committed outcome of a locked step: the payment, or a failure to throw after commit. */
  type Outcome = { payment: Payment } | { failure: DomainError };

  /** The token to charge, or why there is none (unknown or expired payment method). */
  type Resolved = { token: string } | { failure: DomainError };

  async function resolveSource(source: AuthorizeCommand['source']): Promise<Resolved> {
    if ('token' in source) return { token: source.token };
    try {
      return { token: await resolvePaymentMethod(source.paymentMethodId) };
    } catch (e) {
      if (e instanceof DomainError) return { failure: e };
      throw e;
    }
  }

  async function authorizeLocked(
    p: Payment,
    cmd: AuthorizeCommand,
    resolved: Resolved,
    tx: LockedPayment,
  ): Promise<Outcome> {
    // Needed only now that the provider is to be called: a repeat of an authorized (or declined)
    // payment answered before this without it. Unknown or expired: the failure commits nothing.
    if ('failure' in resolved) return resolved;
    const { token } = resolved;
    const attempt = p.providerAttempts + 1;
    // Counted before the call and committed even when the call fails: tok_flaky (and real
    // retry accounting) must see every attempt, across restarts and replicas.
    await tx.update({ providerAttempts: attempt });
    const attemptedAt = new Date();
    try {
      const result = await call(() =>
        provider.authorize({
          paymentId: cmd.paymentId,
          amount: cmd.amount,
          token,
          attempt,
          keyGeneration: p.authorizeKeyGeneration,
        }),
      );
      if (result.kind === 'declined') {
        await tx.update({ status: 'DECLINED' });
        return { failure: declined(p.id) };
      }
      await tx.update({ status: 'AUTHORIZED', providerReference: result.reference });
      await tx.appendLedger('AUTHORIZATION', cmd.amount);
      return { payment: tx.current() };
    } catch (e) {
      // No answer, but it may have happened: ask the provider before answering. Approved or
      // declined there settles the payment now; otherwise it stays PENDING for the reconciler (or
      // the caller's retry, which re-sends the same idempotency key).
      if (isOutcomeUnknown(e)) {
        const settled = await settleFromProvider(p, tx, deps, attemptedAt).catch((lookupError) => {
          if (isProviderUnavailable(lookupError)) return 'unsettled' as const;
          throw lookupError;
        });
        if (settled === 'authorized') return { payment: tx.current() };
        if (settled === 'declined') return { failure: declined(p.id) };
      }
      // A rejected request (INVALID_ARGUMENT) commits the attempt count and leaves it PENDING.
      if (e instanceof DomainError) return { failure: e };
      throw e;
    }
  }

  return {
    async authorize(cmd: AuthorizeCommand): Promise<Payment> {
      const terms = {
        orderId: cmd.orderId,
        amount: cmd.amount,
        tokenHash: sourceHash(cmd.paymentId, cmd.source),
      };
      // Resolved before the row lock: never a second pool connection while a lock is held.
      const resolved = await resolveSource(cmd.source);
      await store.insertPendingIfAbsent(cmd.paymentId, terms);
      const out = await store.withLock(cmd.paymentId, async (p, tx): Promise<Outcome> => {
        if (!p) throw new Error(`payment ${cmd.paymentId} vanished after insert`);
        if (planAuthorize(p, terms) === 'answer') return { payment: p };
        return authorizeLocked(p, cmd, resolved, tx);
      });
      if ('failure' in out) throw out.failure;
      return out.payment;
    },

    capture: (paymentId: string): Promise<Payment> =>
      store.withLock(paymentId, async (p, tx) => {
        if (planCapture(p, paymentId) === 'answer' || !p?.terms) return p!;
        const { amount } = p.terms;
        await call(() =>
          provider.capture({ paymentId, reference: p.providerReference ?? '', amount }),
        );
        await tx.update({ status: 'CAPTURED', captured: amount.minor });
        await tx.appendLedger('CAPTURE', amount);
        return tx.current();
      }),

    async void(paymentId: string): Promise<Payment> {
      // Unknown id: the void overtook its authorize. The tombstone makes that authorize fail.
      if (await store.insertTombstoneIfAbsent(paymentId)) return (await store.get(paymentId))!;
      return store.withLock(paymentId, async (p, tx) => {
        if (!p) throw new Error(`payment ${paymentId} vanished`);
        const plan = planVoid(p);
        if (plan === 'answer') return p;
        if (plan === 'void' && p.terms) {
          await call(() => provider.void({ paymentId, reference: p.providerReference ?? '' }));
          await tx.appendLedger('VOID', p.terms.amount);
        }
        await tx.update({ status: 'VOIDED' });
        return tx.current();
      });
    },

    refund: (cmd: RefundCommand): Promise<Payment> =>
      store.withLock(cmd.paymentId, async (p, tx) => {
        const plan = planRefund(p, cmd, await tx.findRefund(cmd.refundId));
        if (plan.kind === 'answer' || !p) return p!;
        // The refund row first: a concurrent use of this refund id on another payment waits on
        // it and then fails IDEMPOTENCY_KEY_REUSED before reaching the provider.
        await tx.insertRefund(cmd);
        await call(() => provider.refund({ ...cmd, reference: p.providerReference ?? '' }));
        await tx.update({ status: plan.status, refunded: plan.refunded });
        await tx.appendLedger('REFUND', cmd.amount, cmd.refundId);
        return tx.current();
      }),

    async get(paymentId: string): Promise<Payment> {
      const p = await store.get(paymentId);
      // PENDING has no status in the contract: to callers it does not exist yet.
      if (!p || p.status === 'PENDING')
        throw errors.notFound(ErrorReason.ERROR_REASON_PAYMENT_NOT_FOUND, {
          metadata: { paymentId },
        });
      return p;
    },
  };
}
