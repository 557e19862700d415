import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from './generated/prisma/client';

export type OrdersDb = PrismaClient;

/** Prisma over the MariaDB driver adapter (no engine binary needed). */
export function createOrdersDb(url: string): OrdersDb {
  return new PrismaClient({ adapter: new PrismaMariaDb(url) });
}
