/** A users server on port 0 over a throwaway, migrated database (one per test file). */
import path from 'node:path';
import { silentLogger, type TestDatabase, type TypedClient } from '@meshcart/kit';
import { migratedTestDatabase, startServiceHarness, type TestAuth } from '@meshcart/kit/testkit';
import type { Address } from '@meshcart/proto/shop/common/v1/address';
import { UserServiceService } from '@meshcart/proto/shop/users/v1/users';
import { buildServer } from '../src/server';
import { createDb, type Db } from '../src/store/db';
import { createUsersStore } from '../src/store/users.store';

export { failure, fieldsOf } from '@meshcart/kit/testkit';

export const SERVICE_DIR = path.resolve(__dirname, '..');
export const SESSION_TTL_SECONDS = 1800;

export interface UsersHarness {
  client: TypedClient<typeof UserServiceService>;
  auth: TestAuth;
  db: TestDatabase;
  prisma: Db;
  stop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export const migratedDatabase = (prefix: string): Promise<TestDatabase> =>
  migratedTestDatabase(prefix, SERVICE_DIR);

export async function startUsers(
  opts: { maxAddresses?: number; db?: TestDatabase } = {},
): Promise<UsersHarness> {
  const h = await startServiceHarness({
    serviceDir: SERVICE_DIR,
    prefix: 'users',
    database: opts.db,
    openDb: (url) => createDb(url, { connectionLimit: 4 }),
    closeDb: (prisma) => prisma.$disconnect(),
    build: ({ db, auth }) =>
      buildServer({
        logger: silentLogger(),
        verifier: auth.verifier,
        signer: auth.signer,
        store: createUsersStore(db, { maxAddresses: opts.maxAddresses }),
        sessionTtlSeconds: SESSION_TTL_SECONDS,
      }),
  });
  return {
    client: h.client(UserServiceService),
    auth: h.auth,
    db: h.database,
    prisma: h.db,
    stop: h.stop,
  };
}

let counter = 0;
/** A unique email per call (tests share nothing, not even addresses). */
export const uniqueEmail = (tag = 'user') =>
  `${tag}.${process.pid}.${Date.now()}.${counter++}@example.com`;

/** Registers a user and returns its id with bearer metadata for it. */
export async function registerCustomer(
  h: UsersHarness,
): Promise<{ id: string; md: Record<string, string> }> {
  const { user } = await h.client.registerUser({
    email: uniqueEmail(),
    password: 'long enough',
    displayName: 'C',
  });
  return { id: user!.id, md: h.auth.bearer(await h.auth.userToken(user!.id)) };
}

/** A valid address; override what a test is about. */
export const address = (over: Partial<Address> = {}): Address => ({
  recipient: 'Ada Lovelace',
  lines: ['Hauptstrasse 1', 'c/o Babbage'],
  city: 'Berlin',
  postalCode: '10115',
  countryCode: 'DE',
  ...over,
});
