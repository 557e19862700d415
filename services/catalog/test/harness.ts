/** Starts a catalog server on port 0 over a throwaway, migrated database (one per test file). */
import path from 'node:path';
import {
  createClient,
  createTestDatabase,
  type GrpcCallError,
  migrate,
  silentLogger,
  type TestDatabase,
  type TypedClient,
} from '@meshcart/kit';
import { createTestAuth, startTestServer, type TestAuth } from '@meshcart/kit/testkit';
import {
  CatalogAdminServiceService,
  CatalogServiceService,
  type ProductFields,
} from '@meshcart/proto/shop/catalog/v1/catalog';
import { PRODUCT_CACHE_DEFAULTS } from '../src/config';
import { buildServer } from '../src/server';
import type { ProductCacheOptions } from '../src/store/product-cache';
import { createCatalogStore } from '../src/store/catalog.store';
import { createPrismaClient, type PrismaClient } from '../src/store/prisma-client';

export const SERVICE_DIR = path.resolve(__dirname, '..');
export const MIGRATIONS_DIR = path.join(SERVICE_DIR, 'prisma', 'migrations');

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
  prisma: PrismaClient;
  stop(): Promise<void>;
}

export async function migratedDatabase(prefix: string): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  await migrate({ url: db.url, migrationsDir: MIGRATIONS_DIR });
  return db;
}

/** As main.ts runs it: the GetProduct cache on with the config defaults unless told otherwise. */
export async function startCatalog(
  opts: { productCache?: ProductCacheOptions } = {},
): Promise<CatalogHarness> {
  const db = await migratedDatabase('catalog');
  const auth = await createTestAuth();
  const prisma = createPrismaClient(db.url, { connectionLimit: 4 });
  const server = buildServer({
    logger: silentLogger(),
    verifier: auth.verifier,
    store: createCatalogStore(prisma),
    productCache: opts.productCache ?? PRODUCT_CACHE_DEFAULTS,
  });
  const running = await startTestServer(server);
  const catalog = createClient(CatalogServiceService, running.address, { caller: null });
  const admin = createClient(CatalogAdminServiceService, running.address, { caller: null });
  return {
    address: running.address,
    catalog,
    admin,
    auth,
    md: {
      admin: auth.bearer(await auth.adminToken()),
      service: auth.bearer(await auth.serviceToken('orders')),
      customer: auth.bearer(await auth.userToken('u-1')),
    },
    prisma,
    async stop() {
      catalog.close();
      admin.close();
      await running.stop();
      await prisma.$disconnect();
      await db.drop();
    },
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

export async function failure(p: Promise<unknown>): Promise<GrpcCallError> {
  try {
    await p;
  } catch (e) {
    return e as GrpcCallError;
  }
  throw new Error('expected the call to fail');
}

export const fieldsOf = (e: GrpcCallError): string[] => e.violations.map((v) => v.field).sort();
