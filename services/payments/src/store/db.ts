/** The payments database: its generated Prisma client over the MariaDB driver adapter (text protocol: no prepare/close round trip per one-shot statement; values are still escaped). */
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { mariadbPoolConfig, type DbPoolOptions } from '@meshcart/kit';
import { PrismaClient } from './generated/prisma/client';

export type Db = PrismaClient;

/** Opens a pool on DATABASE_URL (mysql:// or mariadb://); nothing connects until the first query. */
export const createDb = (url: string, opts: DbPoolOptions = {}): Db =>
  new PrismaClient({
    adapter: new PrismaMariaDb(mariadbPoolConfig(url, opts), { useTextProtocol: true }),
  });
