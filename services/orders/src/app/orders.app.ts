import { status } from '@grpc/grpc-js';
import { DomainError, errors, type CallContext } from '@meshcart/kit';
import type { Order } from '../domain/order';
import { decodePageToken, encodePageToken, pageSizeOf } from '../domain/page-token';
import type { PlaceOrderCommand } from '../domain/place-order.validation';
import { validateProgress, type RawProgressRecord } from '../domain/progress';
import type { ProgressResult } from '../store/orders.store';
import { DEFAULT_ORPHAN_POLICY, type OrphanPolicy } from '../domain/orphan';
import { placeOrder, type PlaceOrderDeps } from './place-order';
import {
  cancelOrphanForCustomer,
  reconcileOrphanOrders,
  type ReconciledOrder,
} from './reconcile-orphans';

export interface OrdersAppDeps extends PlaceOrderDeps {
  /** The orphan reconciler's bounds (config: ORPHAN_*); defaults when omitted. */
  orphans?: OrphanPolicy;
}

export type OrdersApp = ReturnType<typeof createOrdersApp>;

const requireOrderId = (orderId: string): void => {
  if (orderId === '')
    throw errors.invalidArgument([{ field: 'orderId', description: 'is required' }]);
};

/** The orders use cases; handlers only translate proto <-> these. */
export function createOrdersApp(deps: OrdersAppDeps) {
  const { store, saga } = deps;
  return {
    placeOrder: (userId: string, cmd: PlaceOrderCommand, ctx: CallContext): Promise<Order> =>
      placeOrder(deps, userId, cmd, ctx),

    async getOrder(userId: string, orderId: string): Promise<Order> {
      requireOrderId(orderId);
      return store.getOwn(userId, orderId);
    },

    /** Any user's order, for operators (the handler lets only the admin role in). */
    async getOrderDetails(orderId: string): Promise<Order> {
      requireOrderId(orderId);
      return store.get(orderId);
    },

    async listOrders(
      userId: string,
      pageSize: number,
      pageToken: string,
    ): Promise<{ orders: Order[]; nextPageToken: string }> {
      const limit = pageSizeOf(pageSize);
      const page = await store.list(userId, decodePageToken(pageToken), limit);
      return { orders: page.orders, nextPageToken: page.next ? encodePageToken(page.next) : '' };
    },

    /**
     * A cancelled order is returned unchanged; otherwise the saga decides. When the saga
     * refuses but the order turns out CANCELLED meanwhile (it ended on its own), that order
     * is the answer: cancelling a cancelled order is not an error. An orphan (PENDING, no
     * saga in Temporal, past the grace period) is cancelled right here.
     */
    async cancelOrder(userId: string, orderId: string, ctx: CallContext): Promise<Order> {
      requireOrderId(orderId);
      const order = await store.getOwn(userId, orderId);
      if (order.status === 'CANCELLED') return order;
      try {
        await saga.cancel(orderId, { deadline: ctx.deadline });
      } catch (e) {
        if (e instanceof DomainError && e.code === status.FAILED_PRECONDITION) {
          const now = await store.getOwn(userId, orderId);
          if (now.status === 'CANCELLED') return now;
          const policy = deps.orphans ?? DEFAULT_ORPHAN_POLICY;
          if (
            now.status === 'PENDING' &&
            (await cancelOrphanForCustomer(deps, policy, orderId, ctx))
          )
            return store.getOwn(userId, orderId);
        }
        throw e;
      }
      ctx.logger.info({ order_id: orderId }, 'cancellation accepted by the saga');
      return store.getOwn(userId, orderId);
    },

    /** Orphan orders: start their saga, or cancel those that cannot get one (internal, saga worker). */
    reconcileOrphans: (maxOrders: number, ctx: CallContext): Promise<ReconciledOrder[]> =>
      reconcileOrphanOrders(deps, deps.orphans ?? DEFAULT_ORPHAN_POLICY, maxOrders, ctx),

    async recordProgress(raw: RawProgressRecord, ctx: CallContext): Promise<ProgressResult> {
      const record = validateProgress(raw);
      const result = await store.recordProgress(raw.orderId, record);
      ctx.logger.debug(
        {
          order_id: raw.orderId,
          sequence: raw.sequence,
          applied: result.applied,
          ignored: result.ignoredBecause,
        },
        'progress recorded',
      );
      return result;
    },
  };
}
