import { ErrorReason, errors } from '@meshcart/kit';
import { Prisma } from './generated/prisma/client';
import type { Order, OrderStatus } from '../domain/order';
import { OPEN_STATUSES, openOrderLimitReached } from '../domain/order-caps';
import type { PageCursor } from '../domain/page-token';
import { decideProgress, type IgnoredBecause, type ProgressRecord } from '../domain/progress';
import { toOrder, WITH_ITEMS } from './order-rows';
import { pendingOrderLocks } from './pending-order-locks';
import type { Db } from './db';

/** A new order with what only the store keeps: the request fingerprint and the payment method. */
export interface NewOrder extends Order {
  fingerprint: string;
  /** The vaulted card (pm_...): payments resolves it; the token itself is never stored here. */
  paymentMethodId: string;
  /** When the vault stops resolving it (unknown: null). */
  paymentMethodExpireTime: Date | null;
}

/**
 * An order found by its idempotency key, with the fingerprint of the request that created it
 * and its payment method (null for orders placed before vaulting).
 */
export interface StoredRequest {
  order: Order;
  fingerprint: string;
  paymentMethodId: string | null;
}

export interface ProgressResult {
  order: Order;
  applied: boolean;
  ignoredBecause?: IgnoredBecause;
}

export type OrdersStore = ReturnType<typeof createOrdersStore>;
export {
  lockedCallDeadline,
  type LockedPendingOrder,
  type PendingOrderWrites,
} from './pending-order-locks';

const notFound = (orderId: string) =>
  errors.notFound(ErrorReason.ERROR_REASON_ORDER_NOT_FOUND, {
    message: 'order not found',
    metadata: { orderId },
  });

const storedOf = (row: Parameters<typeof toOrder>[0]): StoredRequest => ({
  order: toOrder(row),
  fingerprint: row.requestFingerprint,
  paymentMethodId: row.paymentMethodId,
});

/** Repository of orders over Prisma; returns domain types (the payment method id only to PlaceOrder). */
export function createOrdersStore(db: Db) {
  const findByRequest = async (
    userId: string,
    requestId: string,
  ): Promise<StoredRequest | undefined> => {
    const row = await db.order.findUnique({
      where: { userId_requestId: { userId, requestId } },
      include: WITH_ITEMS,
    });
    return row ? storedOf(row) : undefined;
  };

  return {
    findByRequest,

    /**
     * Inserts order + lines in one transaction; a concurrent twin (same user + request id) wins
     * and is returned. With `maxOpen`, the user's placement lock row is locked first and the
     * open-order cap checked under it: concurrent placements of one user serialize there, so
     * none can slip past the cap (a twin of an existing order is returned, never refused).
     */
    async insert(
      o: NewOrder,
      caps: { maxOpen?: number } = {},
    ): Promise<StoredRequest & { created: boolean }> {
      // Its own statement, committed before the lock below: only X locks are ever taken on it,
      // so two first-time placements of a user cannot deadlock on an insert's shared lock.
      if (caps.maxOpen !== undefined) {
        await db.$executeRaw`INSERT IGNORE INTO order_placement_locks (user_id) VALUES (${o.userId})`;
      }
      try {
        return await db.$transaction(async (tx) => {
          if (caps.maxOpen !== undefined) {
            await tx.$queryRaw`SELECT user_id FROM order_placement_locks WHERE user_id = ${o.userId} FOR UPDATE`;
            const twin = await tx.order.findUnique({
              where: { userId_requestId: { userId: o.userId, requestId: o.requestId } },
              include: WITH_ITEMS,
            });
            if (twin) return { ...storedOf(twin), created: false };
            const open = await tx.order.count({
              where: { userId: o.userId, status: { in: [...OPEN_STATUSES] } },
            });
            if (open >= caps.maxOpen) throw openOrderLimitReached(caps.maxOpen);
          }
          const row = await tx.order.create({
            data: {
              id: o.id,
              userId: o.userId,
              requestId: o.requestId,
              requestFingerprint: o.fingerprint,
              status: o.status,
              currencyCode: o.currencyCode,
              subtotalMinor: o.subtotalMinor,
              shippingMinor: o.shippingMinor,
              totalMinor: o.totalMinor,
              shipRecipient: o.shippingAddress.recipient,
              shipLines: o.shippingAddress.lines,
              shipCity: o.shippingAddress.city,
              shipPostalCode: o.shippingAddress.postalCode,
              shipCountryCode: o.shippingAddress.countryCode,
              paymentMethodId: o.paymentMethodId,
              paymentMethodExpireTime: o.paymentMethodExpireTime,
              createTime: o.createTime,
              updateTime: o.updateTime,
              items: { create: o.items.map((item, lineNo) => ({ lineNo, ...item })) },
            },
            include: WITH_ITEMS,
          });
          return { ...storedOf(row), created: true };
        });
      } catch (e) {
        if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
          const existing = await findByRequest(o.userId, o.requestId);
          if (existing) return { ...existing, created: false };
        }
        throw e;
      }
    },

    /** How many of the user's orders count against the open-order cap (a cheap early refusal; insert decides). */
    countOpen: (userId: string): Promise<number> =>
      db.order.count({ where: { userId, status: { in: [...OPEN_STATUSES] } } }),

    ...pendingOrderLocks(db),

    /** The user's order; another user's order is indistinguishable from a missing one. */
    async getOwn(userId: string, orderId: string): Promise<Order> {
      const row = await db.order.findFirst({ where: { id: orderId, userId }, include: WITH_ITEMS });
      if (!row) throw notFound(orderId);
      return toOrder(row);
    },

    /** Any user's order (operators only: OrderAdminService). */
    async get(orderId: string): Promise<Order> {
      const row = await db.order.findUnique({ where: { id: orderId }, include: WITH_ITEMS });
      if (!row) throw notFound(orderId);
      return toOrder(row);
    },

    /** One page of the user's orders, newest first (create_time desc, id desc), keyset-paginated. */
    async list(
      userId: string,
      after: PageCursor | undefined,
      limit: number,
    ): Promise<{ orders: Order[]; next?: PageCursor }> {
      const rows = await db.order.findMany({
        where: {
          userId,
          ...(after && {
            OR: [
              { createTime: { lt: after.createTime } },
              { createTime: after.createTime, id: { lt: after.id } },
            ],
          }),
        },
        orderBy: [{ createTime: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        include: WITH_ITEMS,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        orders: page.map(toOrder),
        ...(rows.length > limit && last && { next: { createTime: last.createTime, id: last.id } }),
      };
    },

    /** Read-check-write of one progress record in one transaction, under a row lock on the order. */
    async recordProgress(orderId: string, record: ProgressRecord): Promise<ProgressResult> {
      return db.$transaction(async (tx) => {
        const locked = await tx.$queryRaw<
          { status: OrderStatus; last_sequence: bigint | number | string }[]
        >`
          SELECT status, last_sequence FROM orders WHERE id = ${orderId} FOR UPDATE`;
        const current = locked[0];
        if (!current) throw notFound(orderId);
        const decision = decideProgress(
          { status: current.status, lastSequence: BigInt(current.last_sequence) },
          record,
        );
        if (decision.applied) {
          const c = decision.changes;
          await tx.order.update({
            where: { id: orderId },
            data: {
              lastSequence: c.lastSequence,
              status: c.status,
              cancellationReason: c.cancellationReason,
              paymentStatus: c.paymentStatus,
              shipmentStatus: c.shipmentStatus,
              step: c.step,
              statusDetail: c.statusDetail,
              updateTime: new Date(),
            },
          });
        }
        const row = await tx.order.findUniqueOrThrow({
          where: { id: orderId },
          include: WITH_ITEMS,
        });
        return {
          order: toOrder(row),
          applied: decision.applied,
          ...(!decision.applied && { ignoredBecause: decision.because }),
        };
      });
    },
  };
}
