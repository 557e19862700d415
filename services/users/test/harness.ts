/** Starts a users server on port 0 over a throwaway, migrated database (one per test file). */
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
import type { Address } from '@meshcart/proto/shop/common/v1/address';
import { UserServiceService } from '@meshcart/proto/shop/users/v1/users';
import { buildServer } from '../src/server';
import { createPrismaClient, type PrismaClient } from '../src/store/prisma-client';
import { createUsersStore } from '../src/store/users.store';

export const SERVICE_DIR = path.resolve(__dirname, '..');
export const MIGRATIONS_DIR = path.join(SERVICE_DIR, 'prisma', 'migrations');
export const SESSION_TTL_SECONDS = 1800;

export interface UsersHarness {
  client: TypedClient<typeof UserServiceService>;
  auth: TestAuth;
  db: TestDatabase;
  prisma: PrismaClient;
  stop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function migratedDatabase(prefix: string): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  await migrate({ url: db.url, migrationsDir: MIGRATIONS_DIR });
  return db;
}

export async function startUsers(
  opts: { maxAddresses?: number; db?: TestDatabase } = {},
): Promise<UsersHarness> {
  const db = opts.db ?? (await migratedDatabase('users'));
  const auth = await createTestAuth();
  const prisma = createPrismaClient(db.url, { connectionLimit: 4 });
  const server = buildServer({
    logger: silentLogger(),
    verifier: auth.verifier,
    signer: auth.signer,
    store: createUsersStore(prisma, { maxAddresses: opts.maxAddresses }),
    sessionTtlSeconds: SESSION_TTL_SECONDS,
  });
  const running = await startTestServer(server);
  const client = createClient(UserServiceService, running.address, { caller: null });
  return {
    client,
    auth,
    db,
    prisma,
    async stop() {
      client.close();
      await running.stop();
      await prisma.$disconnect();
      if (!opts.db) await db.drop();
    },
  };
}

/** Awaits a call that must fail and returns its GrpcCallError. */
export async function failure(p: Promise<unknown>): Promise<GrpcCallError> {
  try {
    await p;
  } catch (e) {
    return e as GrpcCallError;
  }
  throw new Error('expected the call to fail');
}

/** Field paths of an INVALID_ARGUMENT error, sorted. */
export const fieldsOf = (e: GrpcCallError): string[] => e.violations.map((v) => v.field).sort();

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
