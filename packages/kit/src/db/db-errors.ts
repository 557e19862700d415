/**
 * Database failures a caller can retry with the same idempotency key, for any service's Prisma
 * client or raw mariadb driver: deadlock and lock wait timeout -> ABORTED DB_CONFLICT; server
 * gone, too busy, or no pooled connection / transaction slot in time -> UNAVAILABLE
 * DB_UNAVAILABLE. Anything else is returned as it is (the handler wrapper makes it INTERNAL).
 * Prisma errors are recognised by name, not by class: every service has its own generated
 * client, whose error classes are distinct objects.
 */
import { ErrorReason } from '../errors/error-reason';
import { errors } from '../errors/domain-error';

const CONFLICT = new Set([1213 /* deadlock */, 1205 /* lock wait timeout */]);
const UNAVAILABLE = new Set([1040, 1053, 1203, 2006, 2013, 45028]);
/** Can't reach the server, pool timeout, transaction API timeout. */
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P2024', 'P2028']);

const nameOf = (e: unknown) => (e as { name?: unknown } | undefined)?.name;

/** Prisma error code (P2002, ...) of a known request error, if it is one. */
export function prismaCode(e: unknown): string | undefined {
  if (nameOf(e) !== 'PrismaClientKnownRequestError') return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Prisma could not connect or start (bad URL, server down at the first query). */
export function isPrismaInitError(e: unknown): boolean {
  return nameOf(e) === 'PrismaClientInitializationError';
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

/** The retryable DomainError for a database failure, else `e` unchanged. */
export function mapDbError(e: unknown): unknown {
  const errno = dbErrno(e);
  const code = prismaCode(e);
  if (code === 'P2034' || (errno !== undefined && CONFLICT.has(errno))) {
    return errors.aborted(ErrorReason.ERROR_REASON_DB_CONFLICT, {
      message: 'concurrent update: retry',
      cause: e,
    });
  }
  if (
    (errno !== undefined && UNAVAILABLE.has(errno)) ||
    (code !== undefined && UNAVAILABLE_PRISMA.has(code)) ||
    isPrismaInitError(e)
  ) {
    return errors.unavailable(ErrorReason.ERROR_REASON_DB_UNAVAILABLE, {
      message: 'database unavailable',
      cause: e,
    });
  }
  return e;
}
