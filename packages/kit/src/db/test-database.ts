/**
 * Throwaway databases for integration tests: every test gets its own database
 * and user on the shared server, so tests never depend on order or on each other.
 *
 * Names are `test_<prefix>_<stamp>` (users `test_u_<stamp>`), where the stamp
 * is the creation time (base36 seconds) plus randomness: the `test_` namespace
 * and the age let `npx tsx scripts/db.ts drop-test-dbs` clean up what crashed
 * runs left behind without touching service databases or tests running now.
 */
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { migrate } from './migrate';
import { dropDatabase, provisionDatabase, serviceDatabaseUrl } from './provision';
import { checkSchemaDrift } from './schema-drift';

/** The project-local MariaDB started by scripts/mariadb.sh. */
export const DEFAULT_ADMIN_URL = 'mysql://meshcart_admin:meshcart-admin-dev@127.0.0.1:3307/';
/** Leading marker of every database and user createTestDatabase makes. */
export const TEST_NAME_PREFIX = 'test_';

const STAMP_TIME_LENGTH = 6;

/** Seconds since a createTestDatabase name (database or user) was made; undefined for other names. */
export function testNameAgeSeconds(name: string, now = Date.now()): number | undefined {
  const m = new RegExp(
    `^${TEST_NAME_PREFIX}(?:.*_)?([0-9a-z]{${STAMP_TIME_LENGTH}})[0-9a-f]{8}$`,
  ).exec(name);
  return m ? Math.floor(now / 1000) - parseInt(m[1] ?? '', 36) : undefined;
}

/** Admin URL: MESHCART_MYSQL_ADMIN_URL, else MYSQL_URL (as scripts/mariadb.sh), else the local default. */
export function resolveAdminUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.MESHCART_MYSQL_ADMIN_URL || env.MYSQL_URL || DEFAULT_ADMIN_URL;
}

export interface TestDatabase {
  /** URL for the database's own user (what a service would get). */
  url: string;
  adminUrl: string;
  database: string;
  user: string;
  /** Drops the database and its user; safe to call twice. */
  drop(): Promise<void>;
}

/** Provisions a uniquely named database + user; call drop() in afterAll/finally. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const adminUrl = resolveAdminUrl();
  const suffix = `${Math.floor(Date.now() / 1000)
    .toString(36)
    .padStart(STAMP_TIME_LENGTH, '0')}${randomBytes(4).toString('hex')}`;
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  const database = `${TEST_NAME_PREFIX}${clean ? `${clean}_` : ''}${suffix}`;
  const user = `${TEST_NAME_PREFIX}u_${suffix}`;
  const password = randomBytes(12).toString('hex');
  await provisionDatabase({ adminUrl, database, user, password });
  let dropped: Promise<void> | undefined;
  return {
    url: serviceDatabaseUrl(adminUrl, { database, user, password }),
    adminUrl,
    database,
    user,
    drop: () => (dropped ??= dropDatabase({ adminUrl, database, user })),
  };
}

/**
 * For each service's drift test: migrate a fresh database with
 * `<serviceDir>/prisma/migrations`, compare it with `<serviceDir>/prisma/schema.prisma`,
 * drop it, and fail listing every difference.
 */
export async function expectNoSchemaDrift(serviceDir: string): Promise<void> {
  const db = await createTestDatabase(`drift_${basename(serviceDir)}`);
  try {
    await migrate({ url: db.url, migrationsDir: join(serviceDir, 'prisma', 'migrations') });
    const diffs = await checkSchemaDrift({
      url: db.url,
      schemaPath: join(serviceDir, 'prisma', 'schema.prisma'),
    });
    if (diffs.length > 0) {
      throw new Error(
        `schema.prisma and migrations of ${serviceDir} disagree:\n  - ${diffs.join('\n  - ')}`,
      );
    }
  } finally {
    await db.drop();
  }
}
