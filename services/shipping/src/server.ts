/** Builds the shipping gRPC server (never listens: main.ts and tests decide where). */
import { createGrpcServer, type GrpcServer, type HandlerBase } from '@meshcart/kit';
import {
  ShippingCarrierServiceService,
  ShippingServiceService,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import { createShippingApp } from './app/shipping.app';
import { carrierServiceImpl, shippingServiceImpl } from './grpc/shipping.handlers';
import { createShipmentStore } from './store/shipments.store';
import type { Db } from './store/db';

export interface ShippingServerDeps extends HandlerBase {
  db: Db;
}

export function buildServer(deps: ShippingServerDeps): GrpcServer {
  const handlerDeps = { ...deps, app: createShippingApp(createShipmentStore(deps.db)) };
  return createGrpcServer({
    logger: deps.logger,
    reflection: deps.reflection,
    services: [
      {
        name: 'shop.shipping.v1.ShippingService',
        definition: ShippingServiceService,
        implementation: shippingServiceImpl(handlerDeps),
      },
      {
        name: 'shop.shipping.v1.ShippingCarrierService',
        definition: ShippingCarrierServiceService,
        implementation: carrierServiceImpl(handlerDeps),
      },
    ],
  });
}
