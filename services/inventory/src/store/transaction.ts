/**
 * Runs a READ COMMITTED transaction on one pooled connection and retries it when the database
 * reports a conflict (deadlock, lock wait timeout, or a unique key taken by a concurrent
 * insert). READ COMMITTED: locking reads take no gap locks, so two requests probing the same
 * missing id or sku cannot deadlock on the gap; every conflict left is row-level and retryable.
 */
import type { PoolConnection } from 'mariadb';
import {
  classifyDbError,
  DB_ERROR_REASONS,
  errors,
  mapDbError,
  type DbErrorReasons,
} from '@meshcart/kit';
import type { Db } from './db';
import { REASONS } from '../domain/reasons';

export type Conn = PoolConnection;

/** Result of INSERT/UPDATE on the driver (affectedRows counts matched rows: foundRows is on). */
export interface Written {
  affectedRows: number;
}

/**
 * The kit's one mapping, with the reasons inventory's clients have always read
 * (TRANSACTION_CONFLICT, DATABASE_UNAVAILABLE: see README); the codes are the kit's.
 */
export const INVENTORY_DB_REASONS: DbErrorReasons = {
  ...DB_ERROR_REASONS,
  conflict: REASONS.transactionConflict,
  unavailable: REASONS.databaseUnavailable,
};

/**
 * Retried: a deadlock, a lock wait timeout, or a unique key taken by a concurrent insert (the
 * next attempt sees the committed row). Past the last attempt a duplicate is still a conflict.
 */
function retryable(e: unknown): boolean {
  const kind = classifyDbError(e);
  return kind === 'conflict' || kind === 'duplicate';
}

function mapped(e: unknown): unknown {
  if (classifyDbError(e) === 'duplicate')
    return errors.aborted(REASONS.transactionConflict, {
      message: 'concurrent update: retry',
      cause: e,
    });
  return mapDbError(e, INVENTORY_DB_REASONS);
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
      if (retryable(e) && attempt < attempts) {
        await sleep(Math.random() * 5 * 2 ** attempt);
        continue;
      }
      throw mapped(e);
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
    throw mapDbError(e, INVENTORY_DB_REASONS);
  }
}
