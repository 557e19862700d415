/**
 * Stock reads and the admin changes (SetStock, AdjustStock), each change with its audit row in
 * the same transaction. Admin changes lock the one stock row FOR UPDATE, the same row lock the
 * reservation path takes, so a change and a reserve can never both pass their checks.
 */
import type { Db } from './db';
import { inTransaction, read, type Conn } from './transaction';
import {
  answerAdjustmentRepeat,
  checkNewOnHand,
  skuNotFound,
  stockLevel,
  type Adjustment,
  type StockLevel,
} from '../domain/stock';

export interface StockChange {
  sku: string;
  /** Subject of the caller (audit "who"). */
  actor: string;
  note: string;
}

export interface StockStore {
  /**
   * The public GetStock read. Behind withStockCache it may be up to INVENTORY_STOCK_CACHE_TTL_MS
   * old: never decide anything with it (reserve and admin changes read under their row locks).
   */
  get(sku: string): Promise<StockLevel | undefined>;
  /** Sets on_hand, creating the sku if needed; refuses to go below reserved. */
  set(change: StockChange & { onHand: number }): Promise<StockLevel>;
  /** Adds delta to on_hand once per adjustment id; a repeat answers the first result. */
  adjust(change: StockChange & { adjustmentId: string; delta: number }): Promise<StockLevel>;
}

async function lockStock(
  conn: Conn,
  sku: string,
): Promise<{ onHand: number; reserved: number } | undefined> {
  const rows = await conn.query<Array<{ onHand: number; reserved: number }>>(
    'SELECT on_hand AS onHand, reserved FROM stock WHERE sku = ? FOR UPDATE',
    [sku],
  );
  return rows[0];
}

interface AuditRow {
  sku: string;
  change: 'SET' | 'ADJUST';
  adjustmentId: string | null;
  before: number | null;
  after: number;
  reserved: number;
  note: string;
  actor: string;
  at: Date;
}

async function audit(conn: Conn, a: AuditRow): Promise<void> {
  // A concurrent AdjustStock with the same id (on another sku) makes this a duplicate key: the
  // transaction is retried and then sees that adjustment.
  await conn.query(
    `INSERT INTO stock_audit (sku, \`change\`, adjustment_id, actor, on_hand_before, on_hand_after, reserved, delta, note, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      a.sku,
      a.change,
      a.adjustmentId,
      a.actor,
      a.before,
      a.after,
      a.reserved,
      a.after - (a.before ?? 0),
      a.note,
      a.at,
    ],
  );
}

export function createStockStore(db: Db): StockStore {
  return {
    // The public read behind GET /v1/stock/{sku}: one primary-key lookup on the driver.
    get: (sku) =>
      read(async () => {
        const rows = await db.pool.query<Array<{ onHand: number; reserved: number }>>(
          'SELECT on_hand AS onHand, reserved FROM stock WHERE sku = ?',
          [sku],
        );
        return rows[0] ? stockLevel(sku, rows[0].onHand, rows[0].reserved) : undefined;
      }),

    set: ({ sku, onHand, actor, note }) =>
      inTransaction(db, async (conn) => {
        const now = new Date();
        const current = await lockStock(conn, sku);
        if (current) {
          checkNewOnHand(sku, onHand, current.reserved);
          await conn.query('UPDATE stock SET on_hand = ?, updated_at = ? WHERE sku = ?', [
            onHand,
            now,
            sku,
          ]);
        } else {
          // Two creators of one new sku: the second gets a duplicate key and is retried.
          await conn.query(
            'INSERT INTO stock (sku, on_hand, reserved, created_at, updated_at) VALUES (?, ?, 0, ?, ?)',
            [sku, onHand, now, now],
          );
        }
        const reserved = current?.reserved ?? 0;
        await audit(conn, {
          sku,
          change: 'SET',
          adjustmentId: null,
          before: current?.onHand ?? null,
          after: onHand,
          reserved,
          note,
          actor,
          at: now,
        });
        return stockLevel(sku, onHand, reserved);
      }),

    adjust: ({ adjustmentId, sku, delta, actor, note }) =>
      inTransaction(db, async (conn) => {
        const now = new Date();
        const current = await lockStock(conn, sku);
        // Read after the row lock: a repeat on the same sku waits for the first to commit.
        const stored = await conn.query<Adjustment[]>(
          `SELECT adjustment_id AS adjustmentId, sku, delta, note, on_hand_after AS onHandAfter, reserved AS reservedAfter
             FROM stock_audit WHERE adjustment_id = ?`,
          [adjustmentId],
        );
        if (stored[0]) return answerAdjustmentRepeat(stored[0], { sku, delta, note });
        if (!current) throw skuNotFound(sku);
        const onHand = current.onHand + delta;
        checkNewOnHand(sku, onHand, current.reserved);
        await conn.query('UPDATE stock SET on_hand = ?, updated_at = ? WHERE sku = ?', [
          onHand,
          now,
          sku,
        ]);
        await audit(conn, {
          sku,
          change: 'ADJUST',
          adjustmentId,
          before: current.onHand,
          after: onHand,
          reserved: current.reserved,
          note,
          actor,
          at: now,
        });
        return stockLevel(sku, onHand, current.reserved);
      }),
  };
}
