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

export type CatalogServerDeps = CatalogHandlerDeps;

export function buildServer(deps: CatalogServerDeps): GrpcServer {
  return createGrpcServer({
    logger: deps.logger,
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
