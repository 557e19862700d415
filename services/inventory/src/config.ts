/** Configuration of the inventory service: the only place that reads its environment. */
import { parse, serviceConfigSpec, v, type ConfigOf } from '@meshcart/kit';

const databaseUrl = v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true });

/** GetStock cache defaults (tests start the server with them too). */
export const STOCK_CACHE_DEFAULTS = { ttlMs: 250, maxEntries: 50_000 };

export const inventoryConfigSpec = {
  ...serviceConfigSpec('inventory'),
  databaseUrl,
  /** Connections of the write pool; each reserve/transition/admin transaction holds one. */
  dbPoolSize: v('DB_POOL_SIZE', parse.int({ min: 1, max: 200 }), { default: 10 }),
  /** innodb_lock_wait_timeout of the service's connections (whole seconds); past it, retried. */
  dbLockWaitTimeoutMs: v('DB_LOCK_WAIT_TIMEOUT', parse.duration(), { default: 5_000 }),
  /**
   * How long GetStock may answer from memory (0 = no cache). This process's own reservations and
   * stock changes show at once; another replica's show within this time. Reservations never
   * read it.
   */
  stockCacheTtlMs: v('INVENTORY_STOCK_CACHE_TTL_MS', parse.int({ min: 0, max: 10_000 }), {
    default: STOCK_CACHE_DEFAULTS.ttlMs,
  }),
  /** Skus kept (least recently read go first); an entry is ~150 bytes. */
  stockCacheMaxEntries: v(
    'INVENTORY_STOCK_CACHE_MAX_ENTRIES',
    parse.int({ min: 1, max: 1_000_000 }),
    { default: STOCK_CACHE_DEFAULTS.maxEntries },
  ),
};
export type InventoryConfig = ConfigOf<typeof inventoryConfigSpec>;
