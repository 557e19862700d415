/** Test harness: a migrated throwaway database, the server on port 0, typed clients, tokens. */
import path from 'node:path';
import { createClient, silentLogger, type TestDatabase, type TypedClient } from '@meshcart/kit';
import { migratedTestDatabase, startServiceHarness, type TestAuth } from '@meshcart/kit/testkit';
import {
  InventoryAdminServiceService,
  InventoryServiceService,
  ReservationServiceService,
} from '@meshcart/proto/shop/inventory/v1/inventory';
import { STOCK_CACHE_DEFAULTS } from '../src/config';
import { buildServer } from '../src/server';
import type { StockCacheOptions } from '../src/store/stock-cache';
import { createDb, type Db } from '../src/store/db';

export { failure } from '@meshcart/kit/testkit';

export const SERVICE_DIR = path.resolve(__dirname, '..');
export const MIGRATIONS_DIR = path.join(SERVICE_DIR, 'prisma', 'migrations');

/** A migrated database of its own plus a Prisma client on it (for seeding and assertions). */
export async function migratedDatabase(
  prefix: string,
): Promise<{ database: TestDatabase; db: Db; close(): Promise<void> }> {
  const database = await migratedTestDatabase(prefix, SERVICE_DIR);
  const db = createDb(database.url);
  return {
    database,
    db,
    close: async () => {
      await db.close();
      await database.drop();
    },
  };
}

export interface Clients {
  inventory: TypedClient<typeof InventoryServiceService>;
  reservations: TypedClient<typeof ReservationServiceService>;
  admin: TypedClient<typeof InventoryAdminServiceService>;
  close(): void;
}

/** Clients on `address` sending `token` (or no token) on every call. */
export function clientsFor(address: string, token?: string): Clients {
  const opts = { caller: null, defaultTimeoutMs: 15_000, token: async () => token };
  const inventory = createClient(InventoryServiceService, address, opts);
  const reservations = createClient(ReservationServiceService, address, opts);
  const admin = createClient(InventoryAdminServiceService, address, opts);
  return {
    inventory,
    reservations,
    admin,
    close: () => [inventory, reservations, admin].forEach((c) => c.close()),
  };
}

export interface Harness {
  db: Db;
  database: TestDatabase;
  auth: TestAuth;
  address: string;
  /** As the order saga (role service). */
  saga: Clients;
  /** As an operator (role admin). */
  admin: Clients;
  /** As a shopper (role customer). */
  customer: Clients;
  anonymous: Clients;
  /** Seeds stock straight into the database. */
  seed(stock: Record<string, number>): Promise<void>;
  stop(): Promise<void>;
}

/** As main.ts runs it: the GetStock cache on with the config defaults unless told otherwise. */
export async function startInventory(
  prefix: string,
  opts: { stockCache?: StockCacheOptions } = {},
): Promise<Harness> {
  const h = await startServiceHarness({
    serviceDir: SERVICE_DIR,
    prefix,
    openDb: (url) => createDb(url),
    closeDb: (db) => db.close(),
    build: ({ db, auth }) =>
      buildServer({
        logger: silentLogger(),
        db,
        verifier: auth.verifier,
        stockCache: opts.stockCache ?? STOCK_CACHE_DEFAULTS,
      }),
  });
  const { auth, address, db } = h;
  const clients = {
    saga: clientsFor(address, await auth.serviceToken('saga-worker')),
    admin: clientsFor(address, await auth.adminToken()),
    customer: clientsFor(address, await auth.userToken('u-1')),
    anonymous: clientsFor(address),
  };
  h.onStop(() => Object.values(clients).forEach((c) => c.close()));
  return {
    db,
    database: h.database,
    auth,
    address,
    ...clients,
    seed: (stock) => seedStock(db, stock),
    stop: h.stop,
  };
}

export async function seedStock(db: Db, stock: Record<string, number>): Promise<void> {
  for (const [sku, onHand] of Object.entries(stock)) {
    await db.pool.query(
      'INSERT INTO stock (sku, on_hand, reserved, updated_at) VALUES (?, ?, 0, UTC_TIMESTAMP(3))',
      [sku, onHand],
    );
  }
}
