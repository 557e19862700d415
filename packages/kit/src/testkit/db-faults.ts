/**
 * Database faults on demand, for the "the database went away mid-call" tests of every service:
 * hold a row lock from an admin connection so the service's call blocks on it, find the
 * service's waiting connection, and KILL it. The call must then answer UNAVAILABLE (the one
 * kit mapping, db-errors.ts), never INTERNAL.
 *
 * Why a lock and not a timer: the call is provably inside the database when the connection
 * dies, whatever the machine's speed.
 */
import type * as mariadb from 'mariadb';
import { openConnection } from '../db/connection';
import { withDatabase } from '../db/mysql-url';
import type { TestDatabase } from '../db/test-database';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RowLock {
  /** Waits until a connection of the service's user waits for a lock; returns its thread id. */
  waiter(timeoutMs?: number): Promise<number>;
  /** KILL CONNECTION: the service's driver sees its connection lost mid-statement. */
  kill(threadId: number): Promise<void>;
  /** Rolls back (releasing the lock) and closes the admin connection; safe to call twice. */
  release(): Promise<void>;
}

/**
 * Opens an admin connection on the test database, BEGINs, and runs `lockSql` (a SELECT ... FOR
 * UPDATE, or an UPDATE) so its rows stay locked until release().
 */
export async function lockRows(
  db: TestDatabase,
  lockSql: string,
  values: unknown[] = [],
): Promise<RowLock> {
  const conn: mariadb.Connection = await openConnection(withDatabase(db.adminUrl, db.database));
  await conn.beginTransaction();
  await conn.query(lockSql, values);
  let released: Promise<void> | undefined;
  return {
    async waiter(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        // A lock wait InnoDB reports, or (for autocommit statements, which INNODB_TRX may not
        // list as waiting) a statement of the service's user running for 300 ms or more: a
        // query on a test table takes milliseconds unless it waits for our lock.
        const rows: { id: number }[] = await conn.query(
          `SELECT p.ID AS id
             FROM information_schema.PROCESSLIST p
             LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
            WHERE p.USER = ? AND p.DB = ? AND p.COMMAND = 'Query'
              AND (t.trx_state = 'LOCK WAIT' OR p.TIME_MS >= 300)`,
          [db.user, db.database],
        );
        if (rows[0]) return Number(rows[0].id);
        if (Date.now() > until) throw new Error(`no connection of ${db.user} waits for a lock`);
        await sleep(20);
      }
    },
    async kill(threadId) {
      await conn.query(`KILL CONNECTION ${Number(threadId)}`);
    },
    release: () =>
      (released ??= conn
        .rollback()
        .catch(() => undefined)
        .then(() => conn.end())),
  };
}

/**
 * Runs `call` while `lockSql` holds its rows, kills the service's connection once it waits for
 * the lock, and returns what the call threw. Fails when the call settles before it ever waited
 * (it did not reach the locked rows: the test locks the wrong thing), or succeeds after the kill.
 */
export async function killConnectionMidCall(
  db: TestDatabase,
  lockSql: string,
  values: unknown[],
  call: () => Promise<unknown>,
): Promise<unknown> {
  const lock = await lockRows(db, lockSql, values);
  try {
    const outcome = call().then(
      (value: unknown) => ({ ok: true as const, value }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    const first = await Promise.race([
      lock.waiter().then((threadId) => ({ threadId })),
      outcome.then((r) => ({ settled: r })),
    ]);
    if ('settled' in first) {
      const r = first.settled;
      throw new Error(
        `the call settled before it waited for the locked rows: ${
          r.ok ? 'ok' : String((r.e as Error)?.message ?? r.e)
        }`,
      );
    }
    await lock.kill(first.threadId);
    const r = await outcome;
    if (r.ok) throw new Error('expected the call to fail once its connection was killed');
    return r.e;
  } finally {
    await lock.release();
  }
}
