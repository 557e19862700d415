/**
 * Reservations: short READ COMMITTED transactions on the raw driver (the hot, contended path).
 *
 * Locking protocol, the same in every transaction so no two can wait on each other in a cycle:
 *   1. the reservation row (INSERT for a new one; SELECT ... FOR UPDATE for a transition),
 *   2. then the stock rows, in ONE statement scanning the primary key in order, issued last
 *      so the hot stock rows stay locked for a single round trip (the statement + COMMIT).
 * A new reservation's row is inserted first: a parallel request with the same id waits on that
 * row until the first commits (then answers as a repeat) or rolls back (then runs itself).
 * Checking and taking the stock is one conditional UPDATE, so no read-then-write gap exists;
 * the CHECK constraint (0 <= reserved <= on_hand) backs it up inside the database.
 */
import { errors } from '@meshcart/kit';
import type { Db } from './db';
import { inTransaction, read, type Conn, type Written } from './transaction';
import {
  answerRepeat,
  canonicalItems,
  decideTransition,
  findShortage,
  outOfStock,
  rejectTransition,
  stockEffect,
  type Reservation,
  type ReservationItem,
  type ReservationStatus,
  type StockRow,
  type Transition,
} from '../domain/reservation';
import { REASONS } from '../domain/reasons';

/** `CASE sku WHEN ? THEN ? ... END` moving each item's quantity times `sign`, with its values. */
function perSku(items: readonly ReservationItem[], sign: number): [string, unknown[]] {
  if (sign === 0) return ['0', []];
  return [
    `CASE sku ${items.map(() => 'WHEN ? THEN ?').join(' ')} END`,
    items.flatMap((i) => [i.sku, sign * i.quantity]),
  ];
}

const skuList = (items: readonly ReservationItem[]): [string, string[]] => [
  items.map(() => '?').join(', '),
  items.map((i) => i.sku),
];

/** Reads one reservation with its items; FOR UPDATE locks the reservation and its item rows. */
async function load(conn: Conn, id: string, forUpdate: boolean): Promise<Reservation | undefined> {
  const rows = await conn.query<
    Array<{
      status: ReservationStatus;
      createdAt: Date;
      updatedAt: Date;
      sku: string | null;
      quantity: number | null;
    }>
  >(
    `SELECT r.status, r.created_at AS createdAt, r.updated_at AS updatedAt, i.sku, i.quantity
       FROM reservations r LEFT JOIN reservation_items i ON i.reservation_id = r.id
      WHERE r.id = ?${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  const first = rows[0];
  if (!first) return undefined;
  const items = rows.flatMap((r) =>
    r.sku === null ? [] : [{ sku: r.sku, quantity: Number(r.quantity) }],
  );
  return {
    id,
    status: first.status,
    items: canonicalItems(items),
    createdAt: first.createdAt,
    updatedAt: first.updatedAt,
  };
}

/** Applies a release/commit/return to every item's stock row in one statement. */
async function moveStock(
  conn: Conn,
  items: readonly ReservationItem[],
  action: Transition,
  now: Date,
): Promise<void> {
  const effect = stockEffect(action);
  const [onHand, onHandValues] = perSku(items, effect.onHand);
  const [reserved, reservedValues] = perSku(items, effect.reserved);
  const [skus, skuValues] = skuList(items);
  const res = await conn.query<Written>(
    `UPDATE stock FORCE INDEX (PRIMARY) SET on_hand = on_hand + ${onHand}, reserved = reserved + ${reserved}, updated_at = ?
      WHERE sku IN (${skus})`,
    [...onHandValues, ...reservedValues, now, ...skuValues],
  );
  // Matched rows (foundRows): a stock row vanishing under a reservation would be a bug.
  if (res.affectedRows !== items.length)
    throw new Error(`stock update matched ${res.affectedRows} of ${items.length} rows`);
}

/** Thrown inside the reserve transaction to roll it back when some item did not fit. */
class Shortfall extends Error {}

/** One reserve transaction: claim the id, write the items, then take all stock or none. */
async function reserveOnce(conn: Conn, id: string, items: ReservationItem[]): Promise<Reservation> {
  const now = new Date();
  // IGNORE turns "id taken" into 0 rows; it waits first if the taker has not committed yet.
  const claimed = await conn.query<Written>(
    `INSERT IGNORE INTO reservations (id, status, created_at, updated_at) VALUES (?, 'ACTIVE', ?, ?)`,
    [id, now, now],
  );
  if (claimed.affectedRows === 0) {
    const existing = await load(conn, id, false);
    if (!existing) throw new Error(`reservation ${id} neither inserted nor found`);
    return answerRepeat(existing, items);
  }
  // Items before stock: they lock nothing shared (no foreign key to stock on purpose: its
  // shared lock on the stock rows would turn two reserves of one sku into a deadlock).
  await conn.query(
    `INSERT INTO reservation_items (reservation_id, sku, quantity) VALUES ${items.map(() => '(?, ?, ?)').join(', ')}`,
    items.flatMap((i) => [id, i.sku, i.quantity]),
  );
  const [need, needValues] = perSku(items, 1);
  const [skus, skuValues] = skuList(items);
  const taken = await conn.query<Written>(
    `UPDATE stock FORCE INDEX (PRIMARY) SET reserved = reserved + ${need}, updated_at = ?
      WHERE sku IN (${skus}) AND on_hand - reserved >= ${need}`,
    [...needValues, now, ...skuValues, ...needValues],
  );
  // Fewer rows than items: some sku is unknown or short. Rolling back stores nothing.
  if (taken.affectedRows !== items.length) throw new Shortfall();
  return { id, status: 'ACTIVE', items, createdAt: now, updatedAt: now };
}

export interface ReservationStore {
  /** Reserves every item or none; a stored id answers as a repeat (see answerRepeat). */
  reserve(id: string, items: readonly ReservationItem[]): Promise<Reservation>;
  /** Applies a lifecycle transition; releasing an unknown id stores a RELEASED tombstone. */
  transition(id: string, action: Transition): Promise<Reservation>;
  get(id: string): Promise<Reservation | undefined>;
}

export function createReservationStore(db: Db): ReservationStore {
  return {
    reserve: async (id, requested) => {
      const items = canonicalItems(requested);
      for (let attempt = 1; ; attempt++) {
        try {
          return await inTransaction(db, (conn) => reserveOnce(conn, id, items));
        } catch (e) {
          if (!(e instanceof Shortfall)) throw e;
        }
        // Rolled back: name the short item from committed stock (the metadata the saga logs).
        const [skus, skuValues] = skuList(items);
        const stock = await read(() =>
          db.pool.query<StockRow[]>(
            `SELECT sku, on_hand AS onHand, reserved FROM stock WHERE sku IN (${skus})`,
            skuValues,
          ),
        );
        const shortage = findShortage(items, stock);
        if (shortage) throw outOfStock(shortage);
        // Stock arrived between the failed UPDATE and this read: try again, a few times.
        if (attempt >= 3)
          throw errors.aborted(REASONS.transactionConflict, {
            message: 'stock kept changing: retry',
          });
      }
    },

    transition: (id, action) =>
      inTransaction(db, async (conn) => {
        const now = new Date();
        const current = await load(conn, id, true);
        if (!current) {
          if (action !== 'release')
            throw errors.notFound(REASONS.reservationNotFound, { metadata: { reservationId: id } });
          // No gap lock under READ COMMITTED: a reserve inserting this id concurrently makes
          // this INSERT fail with a duplicate key, and the retry then releases its reservation.
          await conn.query(
            `INSERT INTO reservations (id, status, created_at, updated_at) VALUES (?, 'RELEASED', ?, ?)`,
            [id, now, now],
          );
          return { id, status: 'RELEASED', items: [], createdAt: now, updatedAt: now };
        }
        const decision = decideTransition(current.status, action);
        if (decision.kind === 'noop') return current;
        if (decision.kind === 'reject') return rejectTransition(id, decision.reason);
        await conn.query(`UPDATE reservations SET status = ?, updated_at = ? WHERE id = ?`, [
          decision.to,
          now,
          id,
        ]);
        await moveStock(conn, current.items, action, now);
        return { ...current, status: decision.to, updatedAt: now };
      }),

    get: (id) =>
      read(async () => {
        const r = await db.prisma.reservation.findUnique({
          where: { id },
          include: { items: true },
        });
        if (!r) return undefined;
        const items = canonicalItems(r.items.map((i) => ({ sku: i.sku, quantity: i.quantity })));
        return {
          id: r.id,
          status: r.status,
          items,
          createdAt: r.createdAt,
          updatedAt: r.updatedAt,
        };
      }),
  };
}
