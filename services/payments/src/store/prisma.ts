/** The payments Prisma client over the MariaDB driver adapter. */
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { parseMysqlUrl } from '@meshcart/kit/src/db';
import { PrismaClient } from './generated/prisma/client';

export type PaymentsDb = PrismaClient;

export interface PaymentsDbOptions {
  /** Connections in this replica's pool (each locked transaction holds one). */
  connectionLimit?: number;
  /**
   * innodb_lock_wait_timeout: how long a repeat may queue behind the payment's row lock, whose
   * holder may be waiting on the provider. Keep it above the provider timeout.
   */
  lockWaitTimeoutSeconds?: number;
}

/** Opens a pool on DATABASE_URL (mysql:// or mariadb://); nothing connects until the first query. */
export function createPaymentsDb(url: string, opts: PaymentsDbOptions = {}): PaymentsDb {
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
      sessionVariables: { innodb_lock_wait_timeout: opts.lockWaitTimeoutSeconds ?? 15 },
    },
    // Text protocol: no prepare/close round trips per one-shot statement; values still escaped.
    { useTextProtocol: true },
  );
  return new PrismaClient({ adapter });
}
