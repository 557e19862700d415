/** The shipping Prisma client over the MariaDB driver adapter. */
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { parseMysqlUrl } from '@meshcart/kit/src/db';
import { PrismaClient } from './generated/prisma/client';

export type ShippingDb = PrismaClient;

/** Opens a pool on DATABASE_URL (mysql:// or mariadb://); nothing connects until the first query. */
export function createShippingDb(url: string, opts: { connectionLimit?: number } = {}): ShippingDb {
  const p = parseMysqlUrl(url);
  const adapter = new PrismaMariaDb(
    {
      host: p.host,
      port: p.port,
      user: p.user,
      password: p.password,
      database: p.database,
      connectionLimit: opts.connectionLimit ?? 10,
      acquireTimeout: 10_000,
      connectTimeout: 5_000,
      // Transitions are single conditional UPDATEs: a short wait is plenty.
      sessionVariables: { innodb_lock_wait_timeout: 5 },
    },
    // Text protocol: no prepare/close round trips per one-shot statement; values still escaped.
    { useTextProtocol: true },
  );
  return new PrismaClient({ adapter });
}
