/**
 * One place that opens raw driver connections and validates SQL identifiers.
 *
 * We use the `mariadb` driver (the one @prisma/adapter-mariadb uses) so the
 * tooling and the services speak to the server the same way.
 */
import * as mariadb from 'mariadb';
import { redactUrl } from './mysql-url';
import { mariadbConnectionConfig } from './tls';

/** Names we create (databases, users): lower-case, no quoting tricks possible. */
export const IDENTIFIER = /^[a-z][a-z0-9_]{0,63}$/;
/** MySQL 8 caps user names at 32 characters (MariaDB at 80): stay portable. */
const MAX_USER_LENGTH = 32;

/** Throws unless `name` is a safe database/user identifier. */
export function assertIdentifier(kind: 'database' | 'user', name: string): void {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`invalid ${kind} name ${JSON.stringify(name)}: must match ${IDENTIFIER}`);
  }
  if (kind === 'user' && name.length > MAX_USER_LENGTH) {
    throw new Error(
      `invalid user name ${JSON.stringify(name)}: at most ${MAX_USER_LENGTH} characters`,
    );
  }
}

/** Backtick-quotes an identifier that already passed assertIdentifier. */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/**
 * In GRANT ... ON `db`.*, `_` and `%` are wildcards: `shop_orders` would also
 * match `shopXorders`. Escaping them makes the grant cover exactly one database.
 */
export function quoteGrantDatabase(name: string): string {
  return quoteIdent(name.replace(/[_%]/g, (c) => `\\${c}`));
}

export interface OpenOptions {
  /** Needed to run a whole migration.sql in one round trip (the server parses it). */
  multipleStatements?: boolean;
}

/** Opens a connection from a mysql:// URL (TLS from its ssl parameters, see tls.ts); connect errors carry the redacted URL. */
export async function openConnection(
  url: string,
  opts: OpenOptions = {},
): Promise<mariadb.Connection> {
  const c = mariadbConnectionConfig(url);
  try {
    return await mariadb.createConnection({
      ...c,
      database: c.database || undefined,
      multipleStatements: opts.multipleStatements ?? false,
      connectTimeout: 5000,
      // Keep BIGINT/DECIMAL/COUNT results as plain numbers for metadata queries.
      bigIntAsNumber: true,
      decimalAsNumber: true,
    });
  } catch (err) {
    throw new Error(`cannot connect to ${redactUrl(url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Runs `fn` with a fresh connection and always closes it. */
export async function withConnection<T>(
  url: string,
  fn: (conn: mariadb.Connection) => Promise<T>,
  opts: OpenOptions = {},
): Promise<T> {
  const conn = await openConnection(url, opts);
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

/**
 * Opens one connection to `url` and closes it: the driver's own reason when that fails (a
 * certificate that does not verify, a wrong password), where a pool - Prisma's adapter's
 * included - only reports "pool timeout" once its acquire timeout has passed.
 */
export async function checkConnection(url: string): Promise<void> {
  await withConnection(url, (conn) => conn.ping());
}
