/**
 * The payment state machine, pure: each plan* function looks at the stored payment and the
 * request and says what to do (call the provider, or answer with what is stored), or throws
 * the business error. The app layer runs the plan under the payment's row lock.
 *
 *   PENDING -> AUTHORIZED -> CAPTURED -> PARTIALLY_REFUNDED -> REFUNDED
 *   PENDING -> DECLINED (terminal)      AUTHORIZED | PENDING -> VOIDED (terminal)
 *   (none)  -> VOIDED tombstone: a void that overtook its authorize
 */
import { ErrorReason, errors } from '@meshcart/kit';
import { sameMoney, type Money } from './money';

export type PaymentStatus =
  'PENDING' | 'AUTHORIZED' | 'CAPTURED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED' | 'DECLINED';
export type LedgerKind = 'AUTHORIZATION' | 'CAPTURE' | 'VOID' | 'REFUND';

/** One append-only ledger row. */
export interface LedgerEntry {
  sequence: bigint;
  kind: LedgerKind;
  amount: Money;
  /** refund_id for refunds, '' otherwise. */
  reference: string;
  createdAt: Date;
}

/** What an AuthorizePayment fixes for good; a repeat must match it exactly. */
export interface PaymentTerms {
  orderId: string;
  amount: Money;
  /** sha256 of payment id + token: the token itself is never stored. */
  tokenHash: string;
}

export interface Payment {
  id: string;
  status: PaymentStatus;
  /** null only for a VOIDED tombstone. */
  terms: PaymentTerms | null;
  captured: bigint;
  refunded: bigint;
  providerReference: string | null;
  providerAttempts: number;
  /** Idempotency-Key generation for authorize (payments.app.ts, settle-authorization.ts). */
  authorizeKeyGeneration: number;
  ledger: LedgerEntry[];
  createdAt: Date;
  updatedAt: Date;
}

export interface RefundRecord {
  refundId: string;
  paymentId: string;
  amount: Money;
}

const CAPTURED_STATES: ReadonlySet<PaymentStatus> = new Set([
  'CAPTURED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
]);

const notFound = (id: string) =>
  errors.notFound(ErrorReason.ERROR_REASON_PAYMENT_NOT_FOUND, { metadata: { paymentId: id } });
const refused = (reason: ErrorReason, p: Payment) =>
  errors.failedPrecondition(reason, { metadata: { paymentId: p.id, status: p.status } });

function sameTerms(a: PaymentTerms, b: PaymentTerms): boolean {
  return a.orderId === b.orderId && a.tokenHash === b.tokenHash && sameMoney(a.amount, b.amount);
}

/** PENDING: ask the provider. Anything already decided is answered from the row. */
export function planAuthorize(p: Payment, terms: PaymentTerms): 'call-provider' | 'answer' {
  if (p.terms === null) throw refused(ErrorReason.ERROR_REASON_PAYMENT_VOIDED, p); // tombstone: the void won
  if (!sameTerms(p.terms, terms)) {
    throw errors.alreadyExists(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, {
      metadata: { paymentId: p.id },
    });
  }
  if (p.status === 'PENDING') return 'call-provider';
  if (p.status === 'DECLINED') throw refused(ErrorReason.ERROR_REASON_PAYMENT_DECLINED, p);
  if (p.status === 'VOIDED') throw refused(ErrorReason.ERROR_REASON_PAYMENT_VOIDED, p);
  return 'answer';
}

/** AUTHORIZED: capture the full amount. Already captured (or refunded since): answer. */
export function planCapture(p: Payment | null, id: string): 'capture' | 'answer' {
  if (!p) throw notFound(id);
  if (p.status === 'AUTHORIZED') return 'capture';
  if (CAPTURED_STATES.has(p.status)) return 'answer';
  if (p.status === 'VOIDED') throw refused(ErrorReason.ERROR_REASON_PAYMENT_VOIDED, p);
  if (p.status === 'DECLINED') throw refused(ErrorReason.ERROR_REASON_PAYMENT_DECLINED, p);
  throw refused(ErrorReason.ERROR_REASON_PAYMENT_NOT_AUTHORIZED, p); // PENDING
}

/**
 * AUTHORIZED: release it at the provider. PENDING (never authorized): close it so a late
 * authorize cannot succeed. VOIDED or DECLINED: nothing to undo, answer.
 */
export function planVoid(p: Payment): 'void' | 'close-pending' | 'answer' {
  if (p.status === 'AUTHORIZED') return 'void';
  if (p.status === 'PENDING') return 'close-pending';
  if (p.status === 'VOIDED' || p.status === 'DECLINED') return 'answer';
  throw refused(ErrorReason.ERROR_REASON_PAYMENT_ALREADY_CAPTURED, p);
}

export type RefundPlan =
  { kind: 'answer' } | { kind: 'refund'; refunded: bigint; status: PaymentStatus };

/** Refunds part of what is captured and not yet refunded; a known refund_id is answered. */
export function planRefund(
  p: Payment | null,
  req: RefundRecord,
  existing: RefundRecord | null,
): RefundPlan {
  if (existing) {
    if (existing.paymentId === req.paymentId && sameMoney(existing.amount, req.amount)) {
      if (!p) throw notFound(req.paymentId); // cannot happen: refunds reference their payment
      return { kind: 'answer' };
    }
    throw errors.alreadyExists(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, {
      metadata: { refundId: req.refundId },
    });
  }
  if (!p) throw notFound(req.paymentId);
  if (p.status === 'VOIDED') throw refused(ErrorReason.ERROR_REASON_PAYMENT_VOIDED, p);
  if (p.status === 'DECLINED') throw refused(ErrorReason.ERROR_REASON_PAYMENT_DECLINED, p);
  if (!CAPTURED_STATES.has(p.status) || !p.terms)
    throw refused(ErrorReason.ERROR_REASON_PAYMENT_NOT_CAPTURED, p);
  if (req.amount.currency !== p.terms.amount.currency)
    throw refused(ErrorReason.ERROR_REASON_CURRENCY_MISMATCH, p);
  const remaining = p.captured - p.refunded;
  if (req.amount.minor > remaining) {
    throw errors.failedPrecondition(ErrorReason.ERROR_REASON_REFUND_EXCEEDS_CAPTURED, {
      metadata: { paymentId: p.id, refundable: remaining.toString() },
    });
  }
  const refunded = p.refunded + req.amount.minor;
  return {
    kind: 'refund',
    refunded,
    status: refunded === p.captured ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
  };
}

/** Invariant check (tests, and a guard before answering): describes what is inconsistent. */
export function invariantProblems(p: Payment): string[] {
  const out: string[] = [];
  const sum = (kind: LedgerKind) =>
    p.ledger.filter((e) => e.kind === kind).reduce((s, e) => s + e.amount.minor, 0n);
  const count = (kind: LedgerKind) => p.ledger.filter((e) => e.kind === kind).length;
  if (p.refunded < 0n || p.refunded > p.captured) out.push('refunded outside 0..captured');
  if (sum('CAPTURE') - sum('REFUND') !== p.captured - p.refunded)
    out.push('ledger disagrees with captured - refunded');
  if (sum('CAPTURE') !== p.captured) out.push('ledger captures disagree with captured');
  if (count('AUTHORIZATION') > 1 || count('CAPTURE') > 1 || count('VOID') > 1)
    out.push('duplicate ledger row');
  const authorized = count('AUTHORIZATION') === 1;
  const expectStatus: Record<PaymentStatus, boolean> = {
    PENDING: !authorized && p.captured === 0n,
    DECLINED: !authorized && p.captured === 0n,
    AUTHORIZED: authorized && p.captured === 0n && count('VOID') === 0,
    VOIDED: p.captured === 0n && count('VOID') === (authorized ? 1 : 0),
    CAPTURED: authorized && p.captured === p.terms?.amount.minor && p.refunded === 0n,
    PARTIALLY_REFUNDED: authorized && p.captured > 0n && p.refunded > 0n && p.refunded < p.captured,
    REFUNDED: authorized && p.captured > 0n && p.refunded === p.captured,
  };
  if (!expectStatus[p.status]) out.push(`status ${p.status} does not match amounts and ledger`);
  return out;
}
