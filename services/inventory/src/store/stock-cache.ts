/**
 * GetStock's read-through cache: the stock store with `get` served from memory for up to ttlMs
 * (unknown skus too), and every stock-changing write of this process (reserve, the release/
 * commit/return transitions, SetStock, AdjustStock) invalidating its skus once it has returned,
 * i.e. after its commit. Reservations and admin changes decide inside their own locking
 * transactions and never read `get`, so they never see the cache.
 *
 * Staleness: this process's writes are visible to its next GetStock at once; writes made by
 * another replica show here within ttlMs.
 */
import { status } from '@grpc/grpc-js';
import { DomainError } from '@meshcart/kit';
import type { StockLevel } from '../domain/stock';
import { createReadThroughCache, type ReadThroughCacheOptions } from '@meshcart/kit';
import type { ReservationStore } from './reservation.store';
import type { StockStore } from './stock.store';

export type StockCacheOptions = ReadThroughCacheOptions;

export interface StockStores {
  stock: StockStore;
  reservations: ReservationStore;
}

/**
 * Business refusals are thrown inside the transaction before its commit (then rolled back); any
 * other failure (say a lost COMMIT acknowledgement) may come after the write took effect.
 */
const REFUSALS = new Set([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.FAILED_PRECONDITION,
  status.ALREADY_EXISTS,
]);
const mayHaveWritten = (e: unknown): boolean => !(e instanceof DomainError && REFUSALS.has(e.code));

/** The stores with a cached `stock.get`; ttlMs 0 returns them unchanged. */
export function withStockCache(stores: StockStores, opts: StockCacheOptions): StockStores {
  if (opts.ttlMs === 0) return stores;
  const { stock, reservations } = stores;
  const cache = createReadThroughCache<StockLevel>((sku) => stock.get(sku), opts);
  /** The skus are known up front: invalidate them whatever the outcome. */
  const thenInvalidate = async <T>(skus: readonly string[], write: () => Promise<T>) => {
    try {
      return await write();
    } finally {
      for (const sku of skus) cache.invalidate(sku);
    }
  };

  // Every method spelled out: a new store method fails to compile here until someone decides
  // whether it reads through the cache or invalidates it.
  return {
    stock: {
      get: (sku) => cache.get(sku),
      set: (change) => thenInvalidate([change.sku], () => stock.set(change)),
      adjust: (change) => thenInvalidate([change.sku], () => stock.adjust(change)),
    },
    reservations: {
      reserve: (id, items) =>
        thenInvalidate(
          items.map((i) => i.sku),
          () => reservations.reserve(id, items),
        ),
      // The items are known only from the stored reservation, i.e. from a successful answer.
      async transition(id, action) {
        try {
          const reservation = await reservations.transition(id, action);
          for (const item of reservation.items) cache.invalidate(item.sku);
          return reservation;
        } catch (e) {
          if (mayHaveWritten(e)) cache.clear();
          throw e;
        }
      },
      get: (id) => reservations.get(id),
    },
  };
}
