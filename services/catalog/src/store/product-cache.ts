/**
 * GetProduct's read-through cache: the catalog store with `get` served from memory for up to
 * ttlMs (unknown skus too) and every create/update invalidating its sku once the write returns.
 * listActive and getMany (ListProducts, BatchGetProducts: orders prices from it) stay uncached.
 *
 * Staleness: writes made through this process are visible to its next read at once; writes
 * made by another replica (or straight in the database) show here within ttlMs.
 */
import { status } from '@grpc/grpc-js';
import { DomainError, ErrorReason, isReason } from '@meshcart/kit';
import type { Product } from '../domain/product';
import { productNotFound, type CatalogStore } from './catalog.store';
import { createReadThroughCache, type ReadThroughCacheOptions } from '@meshcart/kit';

export type ProductCacheOptions = ReadThroughCacheOptions;

const isProductNotFound = (e: unknown): boolean =>
  e instanceof DomainError &&
  e.code === status.NOT_FOUND &&
  isReason(e.reason, ErrorReason.ERROR_REASON_PRODUCT_NOT_FOUND);

/** `store` with a cached `get`; ttlMs 0 returns `store` itself. */
export function withProductCache(store: CatalogStore, opts: ProductCacheOptions): CatalogStore {
  if (opts.ttlMs === 0) return store;
  const cache = createReadThroughCache<Product>(
    (sku) =>
      store.get(sku).catch((e: unknown) => {
        if (isProductNotFound(e)) return undefined;
        throw e;
      }),
    opts,
  );
  /** Invalidates after the write, also when it failed: a lost commit acknowledgement is a failure. */
  const thenInvalidate = async <T>(sku: string, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } finally {
      cache.invalidate(sku);
    }
  };

  // Every method spelled out: a new store method fails to compile here until someone decides
  // whether it reads through the cache or invalidates it.
  return {
    async get(sku) {
      const product = await cache.get(sku);
      if (!product) throw productNotFound(sku);
      return product;
    },
    listActive: (q) => store.listActive(q),
    getMany: (skus) => store.getMany(skus),
    create: (sku, fields) => thenInvalidate(sku, () => store.create(sku, fields)),
    update: (sku, fields) => thenInvalidate(sku, () => store.update(sku, fields)),
  };
}
