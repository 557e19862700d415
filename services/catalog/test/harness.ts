/** A catalog server on port 0 over a throwaway, migrated database (one per test file). */
import path from 'node:path';
import { silentLogger, type TestDatabase, type TypedClient } from '@meshcart/kit';
import {
  migratedTestDatabase,
  startServiceHarness,
  type ServiceHarness,
  type TestAuth,
} from '@meshcart/kit/testkit';
import {
  CatalogAdminServiceService,
  CatalogServiceService,
  type ProductFields,
} from '@meshcart/proto/shop/catalog/v1/catalog';
import { PRODUCT_CACHE_DEFAULTS } from '../src/config';
import { buildServer } from '../src/server';
import type { ProductCacheOptions } from '../src/store/product-cache';
import { createCatalogStore } from '../src/store/catalog.store';
import { createDb, type Db } from '../src/store/db';

export { failure, fieldsOf } from '@meshcart/kit/testkit';

export const SERVICE_DIR = path.resolve(__dirname, '..');

export interface CatalogHarness {
  address: string;
  catalog: TypedClient<typeof CatalogServiceService>;
  admin: TypedClient<typeof CatalogAdminServiceService>;
  auth: TestAuth;
  /** Bearer metadata per role. */
  md: {
    admin: Record<string, string>;
    service: Record<string, string>;
    customer: Record<string, string>;
  };
  prisma: Db;
  database: TestDatabase;
  stop(): Promise<void>;
}

export const migratedDatabase = (prefix: string): Promise<TestDatabase> =>
  migratedTestDatabase(prefix, SERVICE_DIR);

/** As main.ts runs it: the GetProduct cache on with the config defaults unless told otherwise. */
export async function startCatalog(
  opts: { productCache?: ProductCacheOptions } = {},
): Promise<CatalogHarness> {
  const h: ServiceHarness<Db> = await startServiceHarness({
    serviceDir: SERVICE_DIR,
    prefix: 'catalog',
    openDb: (url) => createDb(url, { connectionLimit: 4 }),
    closeDb: (prisma) => prisma.$disconnect(),
    build: ({ db, auth }) =>
      buildServer({
        logger: silentLogger(),
        verifier: auth.verifier,
        store: createCatalogStore(db),
        productCache: opts.productCache ?? PRODUCT_CACHE_DEFAULTS,
      }),
  });
  const { auth } = h;
  return {
    address: h.address,
    catalog: h.client(CatalogServiceService),
    admin: h.client(CatalogAdminServiceService),
    auth,
    md: {
      admin: auth.bearer(await auth.adminToken()),
      service: auth.bearer(await auth.serviceToken('orders')),
      customer: auth.bearer(await auth.userToken('u-1')),
    },
    prisma: h.db,
    database: h.database,
    stop: h.stop,
  };
}

/** Valid product fields; override what a test is about. */
export const fields = (over: Partial<ProductFields> = {}): ProductFields => ({
  name: 'Stoneware Mug',
  description: 'A mug.',
  category: 'kitchen',
  price: { currencyCode: 'EUR', amountMinor: '1299' },
  active: true,
  ...over,
});
