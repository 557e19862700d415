/**
 * The part every service's test harness shares: a throwaway migrated database, the service's
 * DB client on it, a test signing key, the server built by the service and started on port 0,
 * typed clients that send a chosen token, and one stop() that undoes it all in reverse order.
 * A service's test/harness.ts keeps only what is specific to it (which clients, as whom,
 * fixtures); see services/<name>/test/harness.ts.
 */
import path from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { createClient, type TypedClient } from '../client/create-client';
import { GrpcCallError } from '../call/grpc-call-error';
import { migrate } from '../db/migrate';
import { createTestDatabase, type TestDatabase } from '../db/test-database';
import type { GrpcServer } from '../server/grpc-server';
import { createTestAuth, type TestAuth } from './test-auth';
import { startTestServer } from './test-server';

/** `<serviceDir>/prisma/migrations`: where every service keeps its SQL migrations. */
export const migrationsDirOf = (serviceDir: string) =>
  path.join(serviceDir, 'prisma', 'migrations');

/** A fresh database named after `prefix`, migrated with the service's migrations. */
export async function migratedTestDatabase(
  prefix: string,
  serviceDir: string,
): Promise<TestDatabase> {
  const database = await createTestDatabase(prefix);
  try {
    await migrate({ url: database.url, migrationsDir: migrationsDirOf(serviceDir) });
  } catch (e) {
    await database.drop();
    throw e;
  }
  return database;
}

export interface ServiceHarnessOptions<Db> {
  /** The service's folder (holds prisma/migrations). */
  serviceDir: string;
  /** Test database name prefix. */
  prefix: string;
  /** Reuse a database the test made (it is then left for the test to drop). */
  database?: TestDatabase;
  /** Share another harness's signing key (a replica that must accept the same tokens). */
  auth?: TestAuth;
  /** Opens the service's DB client on the test database, and how to close it. */
  openDb(url: string): Db;
  closeDb(db: Db): Promise<void>;
  /**
   * Builds the (unstarted) server, as the service's main.ts would. What it starts for the
   * server (fake dependencies, their clients) it hands to `onStop`: run after the server stops.
   */
  build(deps: BuildDeps<Db>): GrpcServer | Promise<GrpcServer>;
}

export interface BuildDeps<Db> {
  db: Db;
  auth: TestAuth;
  database: TestDatabase;
  onStop(fn: () => unknown): void;
}

export interface ClientAs {
  /** Bearer token sent on every call; none when omitted. */
  token?: string;
  defaultTimeoutMs?: number;
}

export interface ServiceHarness<Db> {
  address: string;
  auth: TestAuth;
  database: TestDatabase;
  db: Db;
  /** A typed client on the server, closed by stop(). */
  client<D extends ServiceDefinition>(definition: D, as?: ClientAs): TypedClient<D>;
  /** Runs `fn` at stop(), before the server stops (last registered, first run). */
  onStop(fn: () => unknown): void;
  stop(): Promise<void>;
}

export async function startServiceHarness<Db>(
  opts: ServiceHarnessOptions<Db>,
): Promise<ServiceHarness<Db>> {
  const database = opts.database ?? (await migratedTestDatabase(opts.prefix, opts.serviceDir));
  const auth = opts.auth ?? (await createTestAuth());
  const db = opts.openDb(database.url);
  const afterServer: Array<() => unknown> = [];
  const onStopAfter = (fn: () => unknown) => void afterServer.push(fn);
  const running = await startTestServer(
    await opts.build({ db, auth, database, onStop: onStopAfter }),
  );
  const cleanups: Array<() => unknown> = [];
  let stopped: Promise<void> | undefined;
  return {
    address: running.address,
    auth,
    database,
    db,
    client(definition, as = {}) {
      const c = createClient(definition, running.address, {
        caller: null,
        defaultTimeoutMs: as.defaultTimeoutMs,
        token: as.token === undefined ? undefined : async () => as.token,
      });
      cleanups.push(() => c.close());
      return c;
    },
    onStop: (fn) => void cleanups.push(fn),
    stop: () =>
      (stopped ??= (async () => {
        for (const fn of cleanups.reverse()) await fn();
        await running.stop();
        for (const fn of afterServer.reverse()) await fn();
        await opts.closeDb(db);
        if (!opts.database) await database.drop();
      })()),
  };
}

/** Awaits a call that must fail and returns its GrpcCallError (anything else is rethrown). */
export async function failure(p: Promise<unknown>): Promise<GrpcCallError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GrpcCallError) return e;
    throw e;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Field paths of an INVALID_ARGUMENT error, sorted. */
export const fieldsOf = (e: GrpcCallError): string[] => e.violations.map((v) => v.field).sort();

let counter = 0;
/** A unique id per call (tests may share a database, never an id). */
export const uniqueId = (tag: string) =>
  `${tag}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
