import {
  createGrpcServer,
  errorDomain,
  type GrpcServer,
  serviceOptions,
  type HandlerBase,
} from '@meshcart/kit';
import {
  OrderAdminServiceService,
  OrderSagaServiceService,
  OrderServiceService,
} from '@meshcart/proto/shop/orders/v1/orders';
import { createOrdersApp, type OrdersAppDeps } from './app/orders.app';
import { orderAdminServiceImpl } from './grpc/order-admin.handlers';
import { orderSagaServiceImpl } from './grpc/order-saga.handlers';
import { orderServiceImpl } from './grpc/order.handlers';

/** Error domain of every orders error (ErrorInfo.domain). */
export const ERROR_DOMAIN = errorDomain('orders');

/** What the server needs: the handler basics plus the use cases' dependencies and policies. */
export type ServerDeps = HandlerBase & OrdersAppDeps;

/** Builds the orders gRPC server (OrderService, OrderSagaService, OrderAdminService); never listens by itself. */
export function buildServer(deps: ServerDeps): GrpcServer {
  const app = createOrdersApp(deps);
  const common = serviceOptions(deps, ERROR_DOMAIN);
  return createGrpcServer({
    logger: deps.logger,
    reflection: deps.reflection,
    services: [
      {
        name: 'shop.orders.v1.OrderService',
        definition: OrderServiceService,
        implementation: orderServiceImpl(app, common),
      },
      {
        name: 'shop.orders.v1.OrderSagaService',
        definition: OrderSagaServiceService,
        implementation: orderSagaServiceImpl(app, common),
      },
      {
        name: 'shop.orders.v1.OrderAdminService',
        definition: OrderAdminServiceService,
        implementation: orderAdminServiceImpl(app, common),
      },
    ],
  });
}
