/**
 * Runs a READ COMMITTED transaction on one pooled connection and retries it when the database
 * reports a conflict (deadlock, lock wait timeout, or a unique key taken by a concurrent
 * insert). READ COMMITTED: locking reads take no gap locks, so two requests probing the same
 * missing id or sku cannot deadlock on the gap; every conflict left is row-level and retryable.
 */
import type { PoolConnection } from 'mariadb';
import { dbErrno, errors, isPrismaInitError } from '@meshcart/kit';
import type { Db } from './db';
import { REASONS } from '../domain/reasons';

export type Conn = PoolConnection;

/** Result of INSERT/UPDATE on the driver (affectedRows counts matched rows: foundRows is on). */
export interface Written {
  affectedRows: number;
}

/** MariaDB error numbers that mean "another transaction got in the way: run again". */
const CONFLICT_CODES = new Set([
  1213 /* deadlock */, 1205 /* lock wait timeout */, 1062 /* duplicate key */,
]);
/** Server going away or too busy; driver-side 45xxx connection/pool failures are `fatal`. */
const UNAVAILABLE_CODES = new Set([1040, 1053, 1203, 2006, 2013, 45028]);

export type DbErrorKind = 'conflict' | 'unavailable' | 'other';

export function classifyDbError(e: unknown): DbErrorKind {
  const code = dbErrno(e);
  if (code !== undefined && CONFLICT_CODES.has(code)) return 'conflict';
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return 'unavailable';
  if ((e as { fatal?: unknown })?.fatal === true) return 'unavailable';
  if (isPrismaInitError(e)) return 'unavailable';
  return 'other';
}

function mapped(e: unknown, kind: DbErrorKind): unknown {
  if (kind === 'conflict')
    return errors.aborted(REASONS.transactionConflict, {
      message: 'concurrent update: retry',
      cause: e,
    });
  if (kind === 'unavailable')
    return errors.unavailable(REASONS.databaseUnavailable, {
      message: 'database unavailable',
      cause: e,
    });
  return e;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs fn in a transaction, retrying conflicts with jittered backoff; DomainErrors pass through. */
export async function inTransaction<T>(
  db: Db,
  fn: (conn: Conn) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(db, fn);
    } catch (e) {
      const kind = classifyDbError(e);
      if (kind === 'conflict' && attempt < attempts) {
        await sleep(Math.random() * 5 * 2 ** attempt);
        continue;
      }
      throw mapped(e, kind);
    }
  }
}

async function once<T>(db: Db, fn: (conn: Conn) => Promise<T>): Promise<T> {
  const conn = await db.pool.getConnection();
  let healthy = true;
  try {
    await conn.beginTransaction();
    const result = await fn(conn);
    await conn.commit();
    return result;
  } catch (e) {
    // A connection that cannot even roll back is dropped, never handed to the next caller.
    await conn.rollback().catch(() => (healthy = false));
    throw e;
  } finally {
    if (healthy) await conn.release().catch(() => undefined);
    else conn.destroy();
  }
}

/** Plain reads outside transactions get the same error mapping (no retry needed). */
export async function read<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw mapped(e, classifyDbError(e) === 'unavailable' ? 'unavailable' : 'other');
  }
}
