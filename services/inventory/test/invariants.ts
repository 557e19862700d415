/** Database-level invariants every inventory test can assert after any load. */
import type { Db } from '../src/store/db';

export interface StockState {
  onHand: number;
  reserved: number;
  /** Sum of ACTIVE reservation items of the sku. */
  activeSum: number;
}

/** Per sku: on_hand, reserved and what the ACTIVE reservations add up to. */
export async function stockState(db: Db): Promise<Map<string, StockState>> {
  const stock = await db.pool.query<Array<{ sku: string; onHand: number; reserved: number }>>(`
    SELECT sku, on_hand AS onHand, reserved FROM stock`);
  const active = await db.pool.query<Array<{ sku: string; total: unknown }>>(`
    SELECT i.sku, SUM(i.quantity) AS total FROM reservation_items i
      JOIN reservations r ON r.id = i.reservation_id WHERE r.status = 'ACTIVE' GROUP BY i.sku`);
  const sums = new Map(active.map((a) => [a.sku, Number(a.total)]));
  return new Map(
    stock.map((s) => [
      s.sku,
      { onHand: s.onHand, reserved: s.reserved, activeSum: sums.get(s.sku) ?? 0 },
    ]),
  );
}

/** Every violated invariant, as text (empty when all hold). */
export async function invariantViolations(db: Db): Promise<string[]> {
  const out: string[] = [];
  for (const [sku, s] of await stockState(db)) {
    if (s.reserved !== s.activeSum)
      out.push(`${sku}: reserved ${s.reserved} != sum of ACTIVE items ${s.activeSum}`);
    if (s.onHand - s.reserved < 0) out.push(`${sku}: available ${s.onHand - s.reserved} < 0`);
    if (s.reserved < 0) out.push(`${sku}: reserved ${s.reserved} < 0`);
  }
  return out;
}

/** Stored reservations with their items (canonical "SKU:qty" list), by id. */
export async function storedReservations(
  db: Db,
): Promise<Map<string, { status: string; items: string[] }>> {
  const rows = await db.pool.query<
    Array<{ id: string; status: string; sku: string | null; quantity: number | null }>
  >(`
    SELECT r.id, r.status, i.sku, i.quantity FROM reservations r
      LEFT JOIN reservation_items i ON i.reservation_id = r.id ORDER BY r.id, i.sku`);
  const out = new Map<string, { status: string; items: string[] }>();
  for (const r of rows) {
    const entry = out.get(r.id) ?? { status: r.status, items: [] };
    if (r.sku !== null) entry.items.push(`${r.sku}:${r.quantity}`);
    out.set(r.id, entry);
  }
  for (const e of out.values()) e.items.sort();
  return out;
}
