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
import type { CatalogPort, PaymentVaultPort, ShippingPort } from './app/ports';
import { createOrdersApp } from './app/orders.app';
import type { OrderCaps } from './domain/order-caps';
import type { OrphanPolicy } from './domain/orphan';
import { orderAdminServiceImpl } from './grpc/order-admin.handlers';
import { orderSagaServiceImpl } from './grpc/order-saga.handlers';
import { orderServiceImpl } from './grpc/order.handlers';
import type { SagaGateway } from './saga/saga-gateway';
import type { OrdersStore } from './store/orders.store';

/** Error domain of every orders error (ErrorInfo.domain). */
export const ERROR_DOMAIN = errorDomain('orders');

export interface ServerDeps extends HandlerBase {
  store: OrdersStore;
  catalog: CatalogPort;
  shipping: ShippingPort;
  vault: PaymentVaultPort;
  saga: SagaGateway;
  /** PlaceOrder's abuse caps (config MAX_OPEN_ORDERS_PER_USER, MAX_UNITS_PER_LINE); defaults when omitted. */
  caps?: OrderCaps;
  /** ReconcileOrphanOrders' bounds (config ORPHAN_*); defaults when omitted. */
  orphans?: OrphanPolicy;
}

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
