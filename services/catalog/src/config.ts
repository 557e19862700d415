/** Configuration of the catalog service: the only place that reads its environment. */
import { parse, serviceConfigSpec, v, type ConfigOf } from '@meshcart/kit';

const databaseUrl = v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true });

/** GetProduct cache defaults (tests start the server with them too). */
export const PRODUCT_CACHE_DEFAULTS = { ttlMs: 1_000, maxEntries: 5_000 };

export const catalogConfigSpec = {
  ...serviceConfigSpec('catalog'),
  databaseUrl,
  /**
   * How long GetProduct may answer from memory (0 = no cache). This process's own writes show
   * at once; another replica's writes (and products it creates) show within this time.
   */
  productCacheTtlMs: v('CATALOG_PRODUCT_CACHE_TTL_MS', parse.int({ min: 0, max: 60_000 }), {
    default: PRODUCT_CACHE_DEFAULTS.ttlMs,
  }),
  /** Products kept (least recently read go first); a product is ~1-10 KB (description <= 5000). */
  productCacheMaxEntries: v(
    'CATALOG_PRODUCT_CACHE_MAX_ENTRIES',
    parse.int({ min: 1, max: 1_000_000 }),
    { default: PRODUCT_CACHE_DEFAULTS.maxEntries },
  ),
};
export type CatalogConfig = ConfigOf<typeof catalogConfigSpec>;
