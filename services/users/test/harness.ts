/** A users server on port 0 over a throwaway, migrated database (one per test file). */
import path from 'node:path';
import { silentLogger, type TestDatabase, type TypedClient } from '@meshcart/kit';
import { migratedTestDatabase, startServiceHarness, type TestAuth } from '@meshcart/kit/testkit';
import type { Address } from '@meshcart/proto/shop/common/v1/address';
import { UserServiceService } from '@meshcart/proto/shop/users/v1/users';
import { createLoginThrottle } from '../src/app/login-throttle';
import type { BackoffPolicy } from '../src/domain/login-backoff';
import { createHashGate, type HashGateOptions } from '../src/domain/hash-gate';
import { gatedPasswordHasher, type PasswordHasher } from '../src/domain/password-hasher';
import { buildServer } from '../src/server';
import { createLoginThrottleStore } from '../src/store/login-throttle.store';
import { createDb, type Db } from '../src/store/db';
import { createUsersStore } from '../src/store/users.store';

export { failure, fieldsOf } from '@meshcart/kit/testkit';

export const SERVICE_DIR = path.resolve(__dirname, '..');
export const SESSION_TTL_SECONDS = 1800;

/** The production defaults (config.ts); tests override what they are about. */
export const DEFAULT_ACCOUNT_POLICY: BackoffPolicy = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};
export const DEFAULT_IP_POLICY: BackoffPolicy = { ...DEFAULT_ACCOUNT_POLICY, freeFailures: 20 };
export const DEFAULT_HASH_GATE: HashGateOptions = {
  concurrency: 4,
  maxQueue: 32,
  maxWaitMs: 1_000,
  retryDelayMs: 1_000,
};

/** A PasswordHasher that counts the hashes it runs (a throttled login must run none). */
export function countingHasher(inner: PasswordHasher): PasswordHasher & { runs: number } {
  const counted = {
    runs: 0,
    hash: (p: string) => (counted.runs++, inner.hash(p)),
    verify: (p: string, e: string) => (counted.runs++, inner.verify(p, e)),
    verifyUnknown: (p: string) => (counted.runs++, inner.verifyUnknown(p)),
    needsRehash: inner.needsRehash,
  };
  return counted;
}

export interface UsersOptions {
  maxAddresses?: number;
  db?: TestDatabase;
  accountPolicy?: Partial<BackoffPolicy>;
  ipPolicy?: Partial<BackoffPolicy>;
  hashGate?: Partial<HashGateOptions>;
  /** Wraps the service's (gated) hasher, e.g. countingHasher. */
  wrapHasher?: (h: PasswordHasher) => PasswordHasher;
  meshPeerIdentity?: 'none' | 'xfcc';
  trustedClientIpPeers?: string[];
}

export interface UsersHarness {
  address: string;
  client: TypedClient<typeof UserServiceService>;
  auth: TestAuth;
  db: TestDatabase;
  prisma: Db;
  stop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export const migratedDatabase = (prefix: string): Promise<TestDatabase> =>
  migratedTestDatabase(prefix, SERVICE_DIR);

export async function startUsers(opts: UsersOptions = {}): Promise<UsersHarness> {
  const passwords = gatedPasswordHasher(createHashGate({ ...DEFAULT_HASH_GATE, ...opts.hashGate }));
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
        passwords: opts.wrapHasher ? opts.wrapHasher(passwords) : passwords,
        loginThrottle: createLoginThrottle({
          store: createLoginThrottleStore(db),
          account: { ...DEFAULT_ACCOUNT_POLICY, ...opts.accountPolicy },
          ip: { ...DEFAULT_IP_POLICY, ...opts.ipPolicy },
          keySecret: 'test-login-throttle-key',
        }),
        meshPeerIdentity: opts.meshPeerIdentity,
        trustedClientIpPeers: opts.trustedClientIpPeers,
      }),
  });
  return {
    address: h.address,
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
