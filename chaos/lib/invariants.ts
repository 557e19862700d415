/**
 * What must hold after every round, however the faults landed:
 *  - every order placed got an answer and reached a terminal status within the bound;
 *  - none lost: each user's order list holds exactly the orders the round placed for them
 *    (no order missing, none created twice by a retried PlaceOrder);
 *  - a declined card never ends CONFIRMED;
 *  - stock never negative (sampled during the round), nothing left reserved once all orders
 *    settled, and on_hand went down by exactly what the CONFIRMED orders bought.
 */
import type { OrderRecord } from './orders-driver';
import type { EdgeOrder } from './shop-client';
import type { StockExtremes, StockLevels } from './stock';

export const TERMINAL = new Set([
  'ORDER_STATUS_CONFIRMED',
  'ORDER_STATUS_CANCELLED',
  'ORDER_STATUS_NEEDS_ATTENTION',
]);

export interface RoundEvidence {
  orders: OrderRecord[];
  /** Each user's orders as GET /v1/orders lists them after the round. */
  listed: EdgeOrder[][];
  requestIdPrefix: string;
  before: StockLevels;
  after: StockLevels;
  extremes: StockExtremes;
}

/** Every violated invariant, one line each; empty when the round is clean. */
export function checkRound(e: RoundEvidence): string[] {
  const problems: string[] = [];
  for (const o of e.orders) {
    if (o.error) problems.push(`order ${o.requestId} (${o.id ?? 'not placed'}): ${o.error}`);
    else if (!TERMINAL.has(o.status ?? ''))
      problems.push(`order ${o.requestId} (${o.id}) ended in ${o.status}`);
    if (o.paymentToken === 'tok_decline' && o.status === 'ORDER_STATUS_CONFIRMED')
      problems.push(`order ${o.id}: declined card but CONFIRMED`);
  }
  e.listed.forEach((list, user) => {
    const ours = list.filter((l) => l.requestId?.startsWith(`${e.requestIdPrefix}-`));
    const placed = e.orders.filter((o) => o.user === user && o.id);
    const listedIds = new Set(ours.map((l) => l.id));
    for (const o of placed)
      if (!listedIds.has(o.id!)) problems.push(`order ${o.id} missing from user ${user}'s list`);
    if (ours.length !== placed.length)
      problems.push(`user ${user}: ${ours.length} orders listed for ${placed.length} placed`);
  });
  if (e.extremes.minOnHand < 0) problems.push(`on_hand went negative (${e.extremes.minOnHand})`);
  if (e.extremes.minReserved < 0)
    problems.push(`reserved went negative (${e.extremes.minReserved})`);
  if (e.extremes.maxOverReserved > 0)
    problems.push(`reserved exceeded on_hand by ${e.extremes.maxOverReserved}`);
  // A NEEDS_ATTENTION order may hold stock until an operator acts: its skus are not balanced.
  const unsettled = new Set(
    e.orders
      .filter((o) => o.status !== 'ORDER_STATUS_CONFIRMED' && o.status !== 'ORDER_STATUS_CANCELLED')
      .flatMap((o) => o.items.map((i) => i.sku)),
  );
  for (const [sku, before] of Object.entries(e.before)) {
    const after = e.after[sku];
    if (!after) {
      problems.push(`sku ${sku} vanished from stock`);
      continue;
    }
    if (after.onHand < 0 || after.reserved < 0)
      problems.push(`sku ${sku} negative: ${JSON.stringify(after)}`);
    if (unsettled.has(sku)) continue;
    const bought = e.orders
      .filter((o) => o.status === 'ORDER_STATUS_CONFIRMED')
      .flatMap((o) => o.items)
      .filter((i) => i.sku === sku)
      .reduce((n, i) => n + i.quantity, 0);
    if (after.reserved !== before.reserved)
      problems.push(`sku ${sku}: reserved ${before.reserved} -> ${after.reserved} after settling`);
    if (before.onHand - after.onHand !== bought)
      problems.push(
        `sku ${sku}: on_hand ${before.onHand} -> ${after.onHand} but CONFIRMED orders bought ${bought}`,
      );
  }
  return problems;
}
