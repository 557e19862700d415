/**
 * Creates (idempotently) a service database and the one user allowed into it.
 *
 * Each service owns `shop_<domain>` and reaches it with its own user whose
 * only grant is ALL on that database: a bug or a leaked password in one
 * service cannot read another service's data.
 */
import { assertIdentifier, quoteGrantDatabase, quoteIdent, withConnection } from './connection';
import { formatMysqlUrl, parseMysqlUrl } from './mysql-url';

/**
 * Host parts the service user is created for.
 * - '%' covers TCP from anywhere (127.0.0.1 with --skip-name-resolve, pods).
 * - 'localhost' covers unix-socket clients: on servers that still have the
 *   anonymous ''@'localhost' account, that account is more specific than
 *   'user'@'%' and would win, making the login fail.
 */
const USER_HOSTS = ['%', 'localhost'] as const;

export interface ProvisionOptions {
  /** Server-level URL of a user that may create databases and users. */
  adminUrl: string;
  database: string;
  user: string;
  password: string;
}

/** Creates the database, the user (both host forms), sets the password, grants ALL on that database only. */
export async function provisionDatabase(opts: ProvisionOptions): Promise<void> {
  assertIdentifier('database', opts.database);
  assertIdentifier('user', opts.user);
  if (!opts.password) throw new Error(`empty password for database user ${opts.user}`);
  const db = quoteIdent(opts.database);
  await withConnection(opts.adminUrl, async (conn) => {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    for (const host of USER_HOSTS) {
      const account = `${quoteIdent(opts.user)}@'${host}'`;
      // The password goes through the driver's escaping, never string concatenation.
      await conn.query(`CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ?`, [opts.password]);
      // ALTER as well: CREATE ... IF NOT EXISTS keeps an old password on re-runs.
      await conn.query(`ALTER USER ${account} IDENTIFIED BY ?`, [opts.password]);
      await conn.query(
        `GRANT ALL PRIVILEGES ON ${quoteGrantDatabase(opts.database)}.* TO ${account}`,
      );
    }
  });
}

export interface DropOptions {
  adminUrl: string;
  database: string;
  /** Also drop this user (every host form provisionDatabase creates). */
  user?: string;
}

/** Drops the database and, when given, its user. Missing objects are not an error. */
export async function dropDatabase(opts: DropOptions): Promise<void> {
  assertIdentifier('database', opts.database);
  if (opts.user !== undefined) assertIdentifier('user', opts.user);
  await withConnection(opts.adminUrl, (conn) =>
    conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(opts.database)}`),
  );
  if (opts.user !== undefined) await dropUser({ adminUrl: opts.adminUrl, user: opts.user });
}

/** Drops a user in every host form provisionDatabase creates. A missing user is not an error. */
export async function dropUser(opts: { adminUrl: string; user: string }): Promise<void> {
  assertIdentifier('user', opts.user);
  await withConnection(opts.adminUrl, async (conn) => {
    for (const host of USER_HOSTS)
      await conn.query(`DROP USER IF EXISTS ${quoteIdent(opts.user)}@'${host}'`);
  });
}

/** The URL a service uses: same host/port as the admin URL, its own user and database. */
export function serviceDatabaseUrl(
  adminUrl: string,
  svc: { database: string; user: string; password: string },
): string {
  assertIdentifier('database', svc.database);
  assertIdentifier('user', svc.user);
  const admin = parseMysqlUrl(adminUrl);
  return formatMysqlUrl({
    ...admin,
    user: svc.user,
    password: svc.password,
    database: svc.database,
  });
}
