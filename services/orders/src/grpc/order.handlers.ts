import {
  type CallContext,
  ErrorReason,
  errors,
  implement,
  type ImplementOptions,
} from '@meshcart/kit';
import { OrderServiceService } from '@meshcart/proto/shop/orders/v1/orders';
import type { OrdersApp } from '../app/orders.app';
import { orderToProto } from './order.mapping';

/** The customer's user id (every OrderService method needs a customer token). */
function userIdOf(ctx: CallContext): string {
  const subject = ctx.caller?.subject;
  if (!subject)
    throw errors.unauthenticated(ErrorReason.ERROR_REASON_TOKEN_MISSING, {
      message: 'bearer token required',
    });
  return subject;
}

/** OrderService: proto <-> use cases; every method for customers, each seeing only their own orders. */
export function orderServiceImpl(
  app: OrdersApp,
  opts: Omit<ImplementOptions<typeof OrderServiceService>, 'access'>,
) {
  return implement(
    OrderServiceService,
    {
      placeOrder: async (req, ctx) => ({
        order: orderToProto(await app.placeOrder(userIdOf(ctx), req, ctx)),
      }),
      getOrder: async (req, ctx) => ({
        order: orderToProto(await app.getOrder(userIdOf(ctx), req.orderId)),
      }),
      listOrders: async (req, ctx) => {
        const page = await app.listOrders(userIdOf(ctx), req.pageSize, req.pageToken);
        return { orders: page.orders.map(orderToProto), nextPageToken: page.nextPageToken };
      },
      cancelOrder: async (req, ctx) => ({
        order: orderToProto(await app.cancelOrder(userIdOf(ctx), req.orderId, ctx)),
      }),
    },
    {
      ...opts,
      access: {
        placeOrder: 'customer',
        getOrder: 'customer',
        listOrders: 'customer',
        cancelOrder: 'customer',
      },
    },
  );
}
