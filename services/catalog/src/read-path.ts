/** @meshcart/catalog/read-path: GetProduct's read path without the server, for the micro benchmark. */
export { createDb } from './store/db';
export { createCatalogStore } from './store/catalog.store';
export { toProtoProduct } from './grpc/catalog.mapping';
