/**
 * Deciding about one PENDING order at a time: its row lock, held in one transaction across the
 * Temporal round trips that decide its fate (orphan reconciler, PlaceOrder repeats, CancelOrder
 * on an orphan), and the orphan candidates query.
 */
import type { Order } from '../domain/order';
import type { OrphanFacts } from '../domain/orphan';
import { toOrder, WITH_ITEMS } from './order-rows';
import type { Db } from './db';

/** A PENDING order held under its row lock, with what the orphan reconciler needs. */
export interface LockedPendingOrder extends OrphanFacts {
  order: Order;
}

/** Writes allowed while a PENDING order is locked (same transaction, same lock). */
export interface PendingOrderWrites {
  /** Its saga was seen in Temporal: the reconciler need not look at it again. */
  markSagaSeen(): Promise<void>;
  /** CANCELLED with `reason`, as the saga would record it (a cancelled order never changes again). */
  cancel(reason: string): Promise<void>;
}

/**
 * Bound on a transaction that holds an order's row lock across Temporal round trips: a stuck
 * call releases the lock instead of holding it. Work under the lock keeps to LOCK_HOLD_MS.
 */
const LOCKED_TX = { maxWait: 5_000, timeout: 20_000 } as const;

/** What a caller of withPendingOrder may spend on remote calls (well inside LOCKED_TX.timeout). */
export const LOCK_HOLD_MS = 10_000;

/** The deadline for remote calls made under an order's lock: the caller's, capped by LOCK_HOLD_MS. */
export const lockedCallDeadline = (deadline: Date | undefined): Date => {
  const cap = Date.now() + LOCK_HOLD_MS;
  return deadline && deadline.getTime() < cap ? deadline : new Date(cap);
};

export function pendingOrderLocks(db: Db) {
  return {
    /**
     * Ids of orphan candidates, oldest first: PENDING, created before `cutoff`, no saga progress
     * recorded and the saga never seen. Candidates only: each is re-checked under its lock.
     */
    async findOrphanCandidates(cutoff: Date, limit: number): Promise<string[]> {
      const rows = await db.order.findMany({
        where: {
          status: 'PENDING',
          sagaSeenTime: null,
          lastSequence: 0,
          createTime: { lt: cutoff },
        },
        orderBy: [{ createTime: 'asc' }, { id: 'asc' }],
        take: limit,
        select: { id: true },
      });
      return rows.map((r) => r.id);
    },

    /**
     * Runs `fn` on the order while it is PENDING, holding its row lock (one transaction), so
     * the reconciler and a PlaceOrder repeat never decide about the same order at once: one
     * starts the saga or cancels, the other then sees the outcome. Undefined when the order is
     * no longer PENDING, or (`skipLocked`) when someone else holds it right now.
     */
    async withPendingOrder<R>(
      orderId: string,
      opts: { skipLocked: boolean },
      fn: (locked: LockedPendingOrder, writes: PendingOrderWrites) => Promise<R>,
    ): Promise<R | undefined> {
      return db.$transaction(async (tx) => {
        const held = opts.skipLocked
          ? await tx.$queryRaw<{ id: string }[]>`
              SELECT id FROM orders WHERE id = ${orderId} AND status = 'PENDING' FOR UPDATE SKIP LOCKED`
          : await tx.$queryRaw<{ id: string }[]>`
              SELECT id FROM orders WHERE id = ${orderId} AND status = 'PENDING' FOR UPDATE`;
        if (held.length === 0) return undefined;
        const row = await tx.order.findUniqueOrThrow({
          where: { id: orderId },
          include: WITH_ITEMS,
        });
        return fn(
          {
            order: toOrder(row),
            createTime: row.createTime,
            paymentMethodId: row.paymentMethodId,
            paymentMethodExpireTime: row.paymentMethodExpireTime,
          },
          {
            markSagaSeen: async () => {
              await tx.order.update({ where: { id: orderId }, data: { sagaSeenTime: new Date() } });
            },
            cancel: async (reason) => {
              await tx.order.update({
                where: { id: orderId },
                data: {
                  status: 'CANCELLED',
                  cancellationReason: reason,
                  step: 'CANCELLED',
                  updateTime: new Date(),
                },
              });
            },
          },
        );
      }, LOCKED_TX);
    },
  };
}
