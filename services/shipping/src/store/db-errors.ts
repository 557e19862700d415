/**
 * Database failures the caller can retry with the same idempotency key: deadlock and lock wait
 * timeout -> ABORTED; server gone, too busy, or no pooled connection / transaction slot in time
 * -> UNAVAILABLE. Anything else stays as it is (the handler wrapper makes it INTERNAL).
 * (The same small table lives in payments; a candidate for the kit.)
 */
import { errors } from '@meshcart/kit';
import { Prisma } from './generated/prisma/client';

const CONFLICT = new Set([1213 /* deadlock */, 1205 /* lock wait timeout */]);
const UNAVAILABLE = new Set([1040, 1053, 1203, 2006, 2013, 45028]);
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P2024', 'P2028']);

/** Prisma error code of a known request error, if it is one. */
export function prismaCode(e: unknown): string | undefined {
  return e instanceof Prisma.PrismaClientKnownRequestError ? e.code : undefined;
}

/** The server's error number, from a driver error or one Prisma wrapped. */
export function dbErrno(e: unknown): number | undefined {
  const direct = (e as { errno?: unknown } | undefined)?.errno;
  if (typeof direct === 'number') return direct;
  const meta = (e as { meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } })
    ?.meta;
  const wrapped = Number(meta?.driverAdapterError?.cause?.originalCode);
  return Number.isFinite(wrapped) ? wrapped : undefined;
}

export function mapDbError(e: unknown): unknown {
  const errno = dbErrno(e);
  const code = prismaCode(e);
  if (code === 'P2034' || (errno !== undefined && CONFLICT.has(errno))) {
    return errors.aborted('DB_CONFLICT', { message: 'concurrent update: retry', cause: e });
  }
  if (
    (errno !== undefined && UNAVAILABLE.has(errno)) ||
    (code !== undefined && UNAVAILABLE_PRISMA.has(code)) ||
    e instanceof Prisma.PrismaClientInitializationError
  ) {
    return errors.unavailable('DB_UNAVAILABLE', { message: 'database unavailable', cause: e });
  }
  return e;
}
