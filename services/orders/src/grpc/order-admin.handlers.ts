import { implement, type ImplementOptions } from '@meshcart/kit';
import { OrderAdminServiceService } from '@meshcart/proto/shop/orders/v1/orders';
import type { OrdersApp } from '../app/orders.app';
import { orderToProto } from './order.mapping';

/**
 * OrderAdminService: operators only (admin role; the ops tooling in the call graph). The one
 * place the saga's operator-facing status detail is served; never routed by the edge.
 */
export function orderAdminServiceImpl(
  app: OrdersApp,
  opts: Omit<ImplementOptions<typeof OrderAdminServiceService>, 'access'>,
) {
  return implement(
    OrderAdminServiceService,
    {
      getOrderDetails: async (req) => {
        const order = await app.getOrderDetails(req.orderId);
        return {
          order: orderToProto(order),
          userId: order.userId,
          statusDetail: order.statusDetail,
        };
      },
    },
    { ...opts, access: { getOrderDetails: 'admin' } },
  );
}
