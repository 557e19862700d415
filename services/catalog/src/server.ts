/** buildServer: the catalog gRPC server, unstarted (main.ts listens; tests bind port 0). */
import { createGrpcServer, type GrpcServer } from '@meshcart/kit';
import {
  CatalogAdminServiceService,
  CatalogServiceService,
} from '@meshcart/proto/shop/catalog/v1/catalog';
import {
  catalogAdminImplementation,
  catalogImplementation,
  type CatalogHandlerDeps,
} from './grpc/catalog.handlers';
import { withProductCache, type ProductCacheOptions } from './store/product-cache';

export interface CatalogServerDeps extends CatalogHandlerDeps {
  /** GetProduct read-through cache over `store`; absent = none. */
  productCache?: ProductCacheOptions;
}

export function buildServer({ productCache, ...rest }: CatalogServerDeps): GrpcServer {
  // One wrapped store for both services: the admin writes invalidate what GetProduct caches.
  const store = productCache ? withProductCache(rest.store, productCache) : rest.store;
  const deps = { ...rest, store };
  return createGrpcServer({
    logger: deps.logger,
    reflection: deps.reflection,
    services: [
      {
        name: 'shop.catalog.v1.CatalogService',
        definition: CatalogServiceService,
        implementation: catalogImplementation(deps),
      },
      {
        name: 'shop.catalog.v1.CatalogAdminService',
        definition: CatalogAdminServiceService,
        implementation: catalogAdminImplementation(deps),
      },
    ],
  });
}
