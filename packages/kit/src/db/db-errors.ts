/**
 * The one mapping from database failures to answers, for any service's Prisma client or raw
 * mariadb driver:
 *   deadlock, lock wait timeout            -> ABORTED DB_CONFLICT (retry with the same key)
 *   server gone / refused / killed / too busy, no pooled connection in time
 *                                          -> UNAVAILABLE DB_UNAVAILABLE (retry)
 *   a duplicate key nobody expected        -> ALREADY_EXISTS DB_DUPLICATE_KEY
 *   anything else                          -> returned as it is (the handler wrapper: INTERNAL)
 * The handler wrapper (statusOf) applies it to anything a store lets escape, so a new store
 * cannot forget it; a store maps first only where it means something else (EMAIL_TAKEN, a
 * retry loop). Prisma errors are recognised by name, not by class: every service has its own
 * generated client, whose error classes are distinct objects.
 */
import { ErrorReason } from '../errors/error-reason';
import { DomainError, errors } from '../errors/domain-error';

export type DbErrorKind = 'conflict' | 'unavailable' | 'duplicate';

const CONFLICT = new Set([1213 /* deadlock */, 1205 /* lock wait timeout */]);
/**
 * Server side: too many connections, shutting down, killed (KILL / KILL CONNECTION), gone away,
 * lost mid-query. Driver side (mariadb 45xxx): connection closed or timed out, socket errors,
 * pool closed / closing / no connection in time.
 */
const UNAVAILABLE = new Set([
  1040, 1053, 1203, 1927, 2002, 2003, 2006, 2013, 45001, 45009, 45012, 45013, 45019, 45026, 45027,
  45028, 45035, 45037, 45039,
]);
const DUPLICATE = 1062;
/** Can't reach the server, pool timeout, transaction API timeout / closed transaction. */
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1017', 'P2024', 'P2028']);

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

/** The server's (or driver's) error number, from a driver error or one Prisma wrapped. */
export function dbErrno(e: unknown): number | undefined {
  const direct = (e as { errno?: unknown } | undefined)?.errno;
  if (typeof direct === 'number') return direct;
  const meta = (e as { meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } })
    ?.meta;
  const wrapped = Number(meta?.driverAdapterError?.cause?.originalCode);
  return Number.isFinite(wrapped) ? wrapped : undefined;
}

/** What kind of database failure `e` is, or undefined when it is none we map. */
export function classifyDbError(e: unknown): DbErrorKind | undefined {
  if (e instanceof DomainError) return undefined;
  const errno = dbErrno(e);
  const code = prismaCode(e);
  if (code === 'P2034' || (errno !== undefined && CONFLICT.has(errno))) return 'conflict';
  if (code === 'P2002' || errno === DUPLICATE) return 'duplicate';
  if (
    (errno !== undefined && UNAVAILABLE.has(errno)) ||
    (code !== undefined && UNAVAILABLE_PRISMA.has(code)) ||
    isPrismaInitError(e) ||
    // The mariadb driver marks every error that leaves the connection unusable as fatal.
    (e as { fatal?: unknown } | undefined)?.fatal === true
  ) {
    return 'unavailable';
  }
  return undefined;
}

/** Reasons of the three kinds; a service overrides one only to keep a reason its clients know. */
export interface DbErrorReasons {
  conflict: ErrorReason;
  unavailable: ErrorReason;
  duplicate: ErrorReason;
}

export const DB_ERROR_REASONS: DbErrorReasons = {
  conflict: ErrorReason.ERROR_REASON_DB_CONFLICT,
  unavailable: ErrorReason.ERROR_REASON_DB_UNAVAILABLE,
  duplicate: ErrorReason.ERROR_REASON_DB_DUPLICATE_KEY,
};

/** The DomainError for a database failure, else `e` unchanged. */
export function mapDbError(e: unknown, reasons: DbErrorReasons = DB_ERROR_REASONS): unknown {
  const kind = classifyDbError(e);
  if (kind === 'conflict')
    return errors.aborted(reasons.conflict, { message: 'concurrent update: retry', cause: e });
  if (kind === 'unavailable')
    return errors.unavailable(reasons.unavailable, { message: 'database unavailable', cause: e });
  if (kind === 'duplicate')
    return errors.alreadyExists(reasons.duplicate, { message: 'already exists', cause: e });
  return e;
}
