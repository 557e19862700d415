/** Opens the users database through Prisma's MariaDB driver adapter. */
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { parseMysqlUrl } from '@meshcart/kit';
import { Prisma, PrismaClient } from './generated/prisma/client';

export type { PrismaClient };

/** A client for `url` (mysql://...); the URL is parsed here so driver errors never echo the password. */
export function createPrismaClient(
  url: string,
  opts: { connectionLimit?: number } = {},
): PrismaClient {
  const p = parseMysqlUrl(url);
  const adapter = new PrismaMariaDb({
    host: p.host,
    port: p.port,
    user: p.user,
    password: p.password,
    database: p.database,
    connectionLimit: opts.connectionLimit ?? 10,
    connectTimeout: 5_000,
  });
  return new PrismaClient({ adapter });
}

/** True for a unique-key violation (Prisma P2002). */
export function isUniqueViolation(e: unknown): boolean {
  return e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';
}

/** True when an update/delete found no row (Prisma P2025). */
export function isRecordNotFound(e: unknown): boolean {
  return e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2025';
}
