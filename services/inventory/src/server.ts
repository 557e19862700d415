/** buildServer: the inventory gRPC server, unstarted (main.ts listens; tests bind port 0). */
import { createGrpcServer, type GrpcServer, serviceOptions, type HandlerBase } from '@meshcart/kit';
import {
  InventoryAdminServiceService,
  InventoryServiceService,
  ReservationServiceService,
} from '@meshcart/proto/shop/inventory/v1/inventory';
import { ERROR_DOMAIN } from './domain/reasons';
import { adminService } from './grpc/admin.handlers';
import { inventoryService } from './grpc/inventory.handlers';
import { reservationService } from './grpc/reservation.handlers';
import type { Db } from './store/db';
import { createReservationStore } from './store/reservation.store';
import { withStockCache, type StockCacheOptions } from './store/stock-cache';
import { createStockStore } from './store/stock.store';

export interface ServerDeps extends HandlerBase {
  db: Db;
  /** GetStock read-through cache; absent = none. */
  stockCache?: StockCacheOptions;
}

export function buildServer(deps: ServerDeps): GrpcServer {
  const stores = {
    stock: createStockStore(deps.db),
    reservations: createReservationStore(deps.db),
  };
  // One wrapped pair for all three services: their writes invalidate what GetStock caches.
  const { stock, reservations } = deps.stockCache
    ? withStockCache(stores, deps.stockCache)
    : stores;
  const opts = serviceOptions(deps, ERROR_DOMAIN);
  return createGrpcServer({
    logger: deps.logger,
    reflection: deps.reflection,
    services: [
      {
        name: 'shop.inventory.v1.InventoryService',
        definition: InventoryServiceService,
        implementation: inventoryService(stock, opts),
      },
      {
        name: 'shop.inventory.v1.ReservationService',
        definition: ReservationServiceService,
        implementation: reservationService(reservations, opts),
      },
      {
        name: 'shop.inventory.v1.InventoryAdminService',
        definition: InventoryAdminServiceService,
        implementation: adminService(stock, opts),
      },
    ],
  });
}
