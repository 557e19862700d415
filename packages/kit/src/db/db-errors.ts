/**
 * The one mapping from database failures to answers, for any service's Prisma client or raw
 * mariadb driver:
 *   deadlock, lock wait timeout            -> ABORTED DB_CONFLICT (retry with the same key)
 *   server gone / refused / reset / killed / too busy / shutting down / read-only, no pooled
 *   connection in time                     -> UNAVAILABLE DB_UNAVAILABLE + RetryInfo 1 s (retry)
 *   a statement past the statement timeout -> DEADLINE_EXCEEDED DB_UNAVAILABLE (see below)
 *   a duplicate key nobody expected        -> ALREADY_EXISTS DB_DUPLICATE_KEY
 *   anything else                          -> returned as it is (the handler wrapper: INTERNAL)
 * The handler wrapper (statusOf) applies it to anything a store lets escape, so a new store
 * cannot forget it; a store maps first only where it means something else (EMAIL_TAKEN, a
 * retry loop). Prisma errors are recognised by name, not by class: every service has its own
 * generated client, whose error classes are distinct objects. The errno is read from the driver's
 * error, from Prisma's wrapping of it (meta.driverAdapterError) and from a bare DriverAdapterError
 * alike, so one table serves every path.
 *
 * Why a statement timeout is DEADLINE_EXCEEDED and not UNAVAILABLE: the database is up but too
 * slow for this statement, and the mesh (Istio's default retryOn) and our clients retry
 * UNAVAILABLE at once - three copies of a statement that just took 15 s would make a slow
 * database slower. DEADLINE_EXCEEDED tells the caller the same thing its own deadline would
 * have (the edge answers 504); it may retry later with the same idempotency key. The reason stays
 * the database one, with metadata db_failure=statement_timeout.
 */
import { ErrorReason } from '../errors/error-reason';
import { DomainError, errors } from '../errors/domain-error';

export type DbErrorKind = 'conflict' | 'unavailable' | 'timeout' | 'duplicate';

const CONFLICT = new Set([1213 /* deadlock */, 1205 /* lock wait timeout */]);
/**
 * Server side: too many connections (1040, 1203), shutting down (1053), killed (1927: KILL /
 * KILL CONNECTION), gone away / lost mid-query (2006, 2013), can't connect (2002, 2003), read-only
 * during a failover (1290 --read-only, 1836 read-only mode), disconnected for inactivity (4031).
 * Driver side (mariadb 45xxx): connection already closed (45001), command dropped with its
 * destroyed connection (45004), socket closed / errored / timed out (45009, 45019, 45026),
 * connect timeout (45012), command on a closed connection (45013), pool closed / closing / no
 * connection in time (45027, 45035, 45037, 45028, 45061), session timeout not set (45039), ping
 * timeout (45042).
 */
const UNAVAILABLE = new Set([
  1040, 1053, 1203, 1290, 1836, 1927, 2002, 2003, 2006, 2013, 4031, 45001, 45004, 45009, 45012,
  45013, 45019, 45026, 45027, 45028, 45035, 45037, 45039, 45042, 45061,
]);
/** MariaDB max_statement_time exceeded (1969), MySQL max_execution_time exceeded (3024). */
const STATEMENT_TIMEOUT = new Set([1969, 3024]);
/** Driver adapter error kinds (Prisma's DriverAdapterError.cause.kind) that mean "no database". */
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionAlreadyClosed',
]);
/** How long a caller should wait before retrying a call the database failed. */
export const DB_RETRY_DELAY_MS = 1_000;
const DUPLICATE = 1062;
/**
 * Can't reach the server (P1001), it timed out (P1002, P1008), closed the connection (P1017),
 * pool timeout (P2024), transaction API timeout / closed transaction (P2028), too many database
 * connections (P2037).
 */
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2037']);

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

type AdapterCause = { originalCode?: unknown; kind?: unknown };

/** The driver adapter's description of the failure: Prisma-wrapped, or a bare DriverAdapterError. */
function adapterCause(e: unknown): AdapterCause | undefined {
  const meta = (e as { meta?: { driverAdapterError?: { cause?: AdapterCause } } } | undefined)
    ?.meta;
  if (meta?.driverAdapterError?.cause) return meta.driverAdapterError.cause;
  if (nameOf(e) === 'DriverAdapterError') return (e as { cause?: AdapterCause }).cause;
  return undefined;
}

/** The server's (or driver's) error number, from a driver error or one Prisma wrapped. */
export function dbErrno(e: unknown): number | undefined {
  const direct = (e as { errno?: unknown } | undefined)?.errno;
  if (typeof direct === 'number') return direct;
  const code = adapterCause(e)?.originalCode;
  const wrapped = typeof code === 'string' || typeof code === 'number' ? Number(code) : NaN;
  return Number.isFinite(wrapped) ? wrapped : undefined;
}

/** What kind of database failure `e` is, or undefined when it is none we map. */
export function classifyDbError(e: unknown): DbErrorKind | undefined {
  if (e instanceof DomainError) return undefined;
  const errno = dbErrno(e);
  const code = prismaCode(e);
  if (code === 'P2034' || (errno !== undefined && CONFLICT.has(errno))) return 'conflict';
  if (code === 'P2002' || errno === DUPLICATE) return 'duplicate';
  if (errno !== undefined && STATEMENT_TIMEOUT.has(errno)) return 'timeout';
  const kind = adapterCause(e)?.kind;
  if (
    (errno !== undefined && UNAVAILABLE.has(errno)) ||
    (typeof kind === 'string' && UNAVAILABLE_KINDS.has(kind)) ||
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
    return errors.unavailable(reasons.unavailable, {
      message: 'database unavailable',
      retryDelayMs: DB_RETRY_DELAY_MS,
      cause: e,
    });
  if (kind === 'timeout')
    return errors.deadlineExceeded(reasons.unavailable, {
      message: 'database statement timed out',
      metadata: { db_failure: 'statement_timeout' },
      cause: e,
    });
  if (kind === 'duplicate')
    return errors.alreadyExists(reasons.duplicate, { message: 'already exists', cause: e });
  return e;
}
