/** Database rows -> domain payments (model rows and raw `SELECT *` rows). */
import type { LedgerEntry, Payment, PaymentStatus } from '../domain/payment';
import type { Prisma } from './generated/prisma/client';

type PaymentRow = Prisma.PaymentModel;
type LedgerRow = Prisma.LedgerEntryModel;

/** Raw `SELECT *` row: snake_case columns, BIGINT as bigint, DATETIME as Date. */
export interface RawPaymentRow {
  payment_id: string;
  order_id: string | null;
  status: PaymentStatus;
  currency: string | null;
  amount_minor: bigint | null;
  token_hash: string | null;
  captured_minor: bigint;
  refunded_minor: bigint;
  provider_reference: string | null;
  provider_attempts: number;
  authorize_key_generation: number;
  created_at: Date;
  updated_at: Date;
}

export function fromRaw(r: RawPaymentRow): PaymentRow {
  return {
    id: r.payment_id,
    orderId: r.order_id,
    status: r.status,
    currency: r.currency,
    amountMinor: r.amount_minor === null ? null : BigInt(r.amount_minor),
    tokenHash: r.token_hash,
    capturedMinor: BigInt(r.captured_minor),
    refundedMinor: BigInt(r.refunded_minor),
    providerReference: r.provider_reference,
    providerAttempts: Number(r.provider_attempts),
    authorizeKeyGeneration: Number(r.authorize_key_generation),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toEntry(e: LedgerRow): LedgerEntry {
  return {
    sequence: e.sequence,
    kind: e.kind,
    amount: { currency: e.currency, minor: e.amountMinor },
    reference: e.reference,
    createdAt: e.createdAt,
  };
}

export function toPayment(row: PaymentRow, ledger: LedgerRow[]): Payment {
  const { orderId, currency, amountMinor, tokenHash } = row;
  const terms =
    orderId !== null && currency !== null && amountMinor !== null && tokenHash !== null
      ? { orderId, amount: { currency, minor: amountMinor }, tokenHash }
      : null;
  return {
    id: row.id,
    status: row.status,
    terms,
    captured: row.capturedMinor,
    refunded: row.refundedMinor,
    providerReference: row.providerReference,
    providerAttempts: row.providerAttempts,
    authorizeKeyGeneration: row.authorizeKeyGeneration,
    ledger: ledger.map(toEntry),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
