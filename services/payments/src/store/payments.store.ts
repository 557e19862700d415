/**
 * Repository over shop_payments. Every state change runs inside `withLock`: an interactive
 * READ COMMITTED transaction that first takes the payment row's lock (SELECT ... FOR UPDATE),
 * so concurrent calls for one payment_id run one after the other and each sees what the
 * previous one committed. The ledger is only ever appended to: this file has no update or
 * delete of ledger rows.
 */
import { ErrorReason, errors, mapDbError, prismaCode } from '@meshcart/kit';
import type { Money } from '../domain/money';
import type {
  LedgerKind,
  Payment,
  PaymentStatus,
  PaymentTerms,
  RefundRecord,
} from '../domain/payment';
import type { Prisma } from './generated/prisma/client';
import { fromRaw, toEntry, toPayment, type RawPaymentRow } from './payment-rows';
import type { Db } from './db';

type Tx = Prisma.TransactionClient;

/** Changes to a locked payment (only the fields a transition may touch). */
export interface PaymentChange {
  status?: PaymentStatus;
  captured?: bigint;
  refunded?: bigint;
  providerReference?: string;
  providerAttempts?: number;
  authorizeKeyGeneration?: number;
}

/** Operations on a payment whose row lock the current transaction holds. */
export interface LockedPayment {
  update(change: PaymentChange): Promise<void>;
  appendLedger(kind: LedgerKind, amount: Money, reference?: string): Promise<void>;
  findRefund(refundId: string): Promise<RefundRecord | null>;
  /** Fails ALREADY_EXISTS IDEMPOTENCY_KEY_REUSED when the refund id is taken meanwhile. */
  insertRefund(refund: RefundRecord): Promise<void>;
  /**
   * Records a provider event as handled (with what it did); false when that event id was
   * recorded before (a redelivery: the caller changes nothing).
   */
  recordEvent(e: ProviderEventRecord): Promise<boolean>;
  /** The payment as this transaction has written it so far. */
  current(): Payment;
}

/** One provider webhook event, as kept in provider_events. */
export interface ProviderEventRecord {
  eventId: string;
  provider: string;
  type: string;
  outcome: string;
}

export type PaymentStore = ReturnType<typeof createPaymentStore>;

/** `txTimeoutMs`: how long a locked transaction may run (it may include a provider call). */
export function createPaymentStore(db: Db, txTimeoutMs: number) {
  return {
    async get(id: string): Promise<Payment | null> {
      const row = await db.payment.findUnique({ where: { id } }).catch(rethrow);
      return row && toPayment(row, await readLedger(db, id).catch(rethrow));
    },

    /**
     * Creates the PENDING row an authorize locks. A statement of its own, outside the locking
     * transaction on purpose: concurrent inserts of one key inside transactions take shared
     * locks on the duplicate and deadlock when each then asks for FOR UPDATE. (Not INSERT
     * IGNORE: that would also turn a CHECK violation into a silently skipped row.)
     */
    async insertPendingIfAbsent(id: string, t: PaymentTerms): Promise<void> {
      // Timestamps from the client (UTC, like Prisma's own writes), never the server's time zone.
      const now = new Date();
      await db.$executeRaw`
        INSERT INTO payments
          (payment_id, status, order_id, currency, amount_minor, token_hash, created_at, updated_at)
        VALUES (${id}, 'PENDING', ${t.orderId}, ${t.amount.currency}, ${t.amount.minor}, ${t.tokenHash}, ${now}, ${now})
        ON DUPLICATE KEY UPDATE payment_id = payment_id`.catch(rethrow);
    },

    /**
     * PENDING payments whose authorize reached the provider (attempts > 0) and has not been
     * touched since `before`: the reconciler's work list, oldest first.
     */
    async listUnsettled(before: Date, limit: number): Promise<string[]> {
      const rows = await db.payment
        .findMany({
          where: { status: 'PENDING', providerAttempts: { gt: 0 }, updatedAt: { lt: before } },
          select: { id: true },
          orderBy: { updatedAt: 'asc' },
          take: limit,
        })
        .catch(rethrow);
      return rows.map((r) => r.id);
    },

    /** The payment a provider reference (e.g. a PaymentIntent id) belongs to, if any. */
    async idByReference(reference: string): Promise<string | null> {
      const row = await db.payment
        .findFirst({ where: { providerReference: reference }, select: { id: true } })
        .catch(rethrow);
      return row?.id ?? null;
    },

    /** Records an event no payment of ours is concerned by; false when seen before. */
    async recordUnmatchedEvent(e: ProviderEventRecord): Promise<boolean> {
      const { count } = await db.providerEvent
        .createMany({
          data: [{ id: e.eventId, provider: e.provider, type: e.type, outcome: e.outcome }],
          skipDuplicates: true,
        })
        .catch(rethrow);
      return count === 1;
    },

    /** Records a VOIDED tombstone for an unknown id; false when the payment already exists. */
    async insertTombstoneIfAbsent(id: string): Promise<boolean> {
      const now = new Date();
      const inserted = await db.$executeRaw`
        INSERT IGNORE INTO payments (payment_id, status, created_at, updated_at)
        VALUES (${id}, 'VOIDED', ${now}, ${now})`.catch(rethrow);
      return inserted === 1;
    },

    /** Runs fn holding the payment's row lock; fn gets null when no such payment exists. */
    async withLock<R>(
      id: string,
      fn: (p: Payment | null, tx: LockedPayment) => Promise<R>,
    ): Promise<R> {
      return db
        .$transaction(
          async (tx) => {
            const rows = await tx.$queryRaw<
              RawPaymentRow[]
            >`SELECT * FROM payments WHERE payment_id = ${id} FOR UPDATE`;
            if (rows.length === 0) return fn(null, noPayment(id));
            const payment = toPayment(fromRaw(rows[0]!), await readLedger(tx, id));
            return fn(payment, lockedPayment(tx, payment));
          },
          // READ COMMITTED: every read after the lock sees the latest commit (no older snapshot).
          { isolationLevel: 'ReadCommitted', maxWait: txTimeoutMs, timeout: txTimeoutMs },
        )
        .catch(rethrow);
    },
  };
}

function lockedPayment(tx: Tx, start: Payment): LockedPayment {
  let p: Payment = { ...start, ledger: [...start.ledger] };
  const id = p.id;
  return {
    update: async (c) => {
      const updatedAt = new Date();
      await tx.payment.updateMany({
        where: { id },
        data: {
          status: c.status,
          capturedMinor: c.captured,
          refundedMinor: c.refunded,
          providerReference: c.providerReference,
          providerAttempts: c.providerAttempts,
          authorizeKeyGeneration: c.authorizeKeyGeneration,
          updatedAt,
        },
      });
      p = {
        ...p,
        status: c.status ?? p.status,
        captured: c.captured ?? p.captured,
        refunded: c.refunded ?? p.refunded,
        providerReference: c.providerReference ?? p.providerReference,
        providerAttempts: c.providerAttempts ?? p.providerAttempts,
        authorizeKeyGeneration: c.authorizeKeyGeneration ?? p.authorizeKeyGeneration,
        updatedAt,
      };
    },
    appendLedger: async (kind, amount, reference = '') => {
      const row = await tx.ledgerEntry.create({
        data: {
          paymentId: id,
          kind,
          currency: amount.currency,
          amountMinor: amount.minor,
          reference,
        },
      });
      p = { ...p, ledger: [...p.ledger, toEntry(row)] };
    },
    findRefund: async (refundId) => {
      const r = await tx.refund.findUnique({ where: { id: refundId } });
      return (
        r && {
          refundId: r.id,
          paymentId: r.paymentId,
          amount: { currency: r.currency, minor: r.amountMinor },
        }
      );
    },
    insertRefund: async (r) => {
      try {
        await tx.refund.createMany({
          data: [
            {
              id: r.refundId,
              paymentId: id,
              currency: r.amount.currency,
              amountMinor: r.amount.minor,
            },
          ],
        });
      } catch (e) {
        if (prismaCode(e) !== 'P2002') throw e;
        throw errors.alreadyExists(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, {
          metadata: { refundId: r.refundId },
        });
      }
    },
    recordEvent: async (e) => {
      const { count } = await tx.providerEvent.createMany({
        data: [
          { id: e.eventId, provider: e.provider, type: e.type, paymentId: id, outcome: e.outcome },
        ],
        skipDuplicates: true,
      });
      return count === 1;
    },
    current: () => p,
  };
}

/** Handed to fn when the row does not exist: any write is a bug in the caller. */
function noPayment(id: string): LockedPayment {
  const fail = () => Promise.reject(new Error(`payment ${id} does not exist`));
  return {
    update: fail,
    appendLedger: fail,
    insertRefund: fail,
    findRefund: async () => null,
    recordEvent: fail,
    current: () => {
      throw new Error(`payment ${id} does not exist`);
    },
  };
}

function rethrow(e: unknown): never {
  throw mapDbError(e);
}

const readLedger = (db: Tx | Db, paymentId: string) =>
  db.ledgerEntry.findMany({ where: { paymentId }, orderBy: { sequence: 'asc' } });
