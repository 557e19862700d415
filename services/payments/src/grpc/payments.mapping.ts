/** Domain -> proto for payments (int64 as decimal strings, timestamps as seconds + nanos). */
import type { Money as ProtoMoney } from '@meshcart/proto/shop/common/v1/money';
import {
  LedgerEntryKind,
  PaymentStatus as ProtoStatus,
  type Payment as ProtoPayment,
} from '@meshcart/proto/shop/payments/v1/payments';
import type { Money } from '../domain/money';
import type { LedgerKind, Payment, PaymentStatus } from '../domain/payment';
import { toTimestamp } from '@meshcart/kit';

const STATUS: Record<PaymentStatus, ProtoStatus> = {
  PENDING: ProtoStatus.PAYMENT_STATUS_UNSPECIFIED, // never answered (GetPayment says NOT_FOUND)
  AUTHORIZED: ProtoStatus.PAYMENT_STATUS_AUTHORIZED,
  CAPTURED: ProtoStatus.PAYMENT_STATUS_CAPTURED,
  PARTIALLY_REFUNDED: ProtoStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED,
  REFUNDED: ProtoStatus.PAYMENT_STATUS_REFUNDED,
  VOIDED: ProtoStatus.PAYMENT_STATUS_VOIDED,
  DECLINED: ProtoStatus.PAYMENT_STATUS_DECLINED,
};

const KIND: Record<LedgerKind, LedgerEntryKind> = {
  AUTHORIZATION: LedgerEntryKind.LEDGER_ENTRY_KIND_AUTHORIZATION,
  CAPTURE: LedgerEntryKind.LEDGER_ENTRY_KIND_CAPTURE,
  VOID: LedgerEntryKind.LEDGER_ENTRY_KIND_VOID,
  REFUND: LedgerEntryKind.LEDGER_ENTRY_KIND_REFUND,
};

export function toProtoMoney(m: Money): ProtoMoney {
  return { currencyCode: m.currency, amountMinor: m.minor.toString() };
}

/** A tombstone (no terms) has no amounts: amount, captured and refunded stay unset. */
export function toProtoPayment(p: Payment): ProtoPayment {
  const currency = p.terms?.amount.currency;
  return {
    paymentId: p.id,
    orderId: p.terms?.orderId ?? '',
    status: STATUS[p.status],
    amount: p.terms ? toProtoMoney(p.terms.amount) : undefined,
    captured: currency ? toProtoMoney({ currency, minor: p.captured }) : undefined,
    refunded: currency ? toProtoMoney({ currency, minor: p.refunded }) : undefined,
    providerReference: p.providerReference ?? '',
    ledger: p.ledger.map((e) => ({
      sequence: e.sequence.toString(),
      kind: KIND[e.kind],
      amount: toProtoMoney(e.amount),
      reference: e.reference,
      createTime: toTimestamp(e.createdAt),
    })),
    createTime: toTimestamp(p.createdAt),
    updateTime: toTimestamp(p.updatedAt),
  };
}
