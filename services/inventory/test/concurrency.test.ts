/**
 * 200 parallel ReserveStock calls against 50 units per sku: mixed multi-item orders over four
 * skus plus parallel repeats of the same ids. Nothing may oversell, the database must add up,
 * and every repeated id must be answered identically.
 */
import { status } from '@grpc/grpc-js';
import type { ReserveStockResponse } from '@meshcart/proto/shop/inventory/v1/inventory';
import { GrpcCallError } from '@meshcart/kit';
import { startInventory, type Harness } from './harness';
import { invariantViolations, stockState, storedReservations } from './invariants';

const SKUS = ['CC-A', 'CC-B', 'CC-C', 'CC-D'];
const ON_HAND = 50;
const ORDERS = 140;
const REQUESTS = 200;

/** mulberry32: a seeded generator so a failing run can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = { ok: ReserveStockResponse } | { code: number; reason: string | undefined };

let h: Harness;
beforeAll(async () => {
  h = await startInventory('inv_concurrency');
  await h.seed(Object.fromEntries(SKUS.map((s) => [s, ON_HAND])));
});
afterAll(() => h?.stop());

test('200 parallel reservations with repeats: no oversell, exact bookkeeping, identical repeats', async () => {
  const seed = Number(process.env.INVENTORY_TEST_SEED ?? 20261122);
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const orders = Array.from({ length: ORDERS }, (_, n) => {
    const skus = [...SKUS].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 3));
    return {
      reservationId: `cc-${n}`,
      items: skus.map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 3) })),
    };
  });
  // Every order once, then repeats of random orders (items in another order), all shuffled.
  const requests = [
    ...orders,
    ...Array.from({ length: REQUESTS - ORDERS }, () => {
      const o = pick(orders);
      return { ...o, items: [...o.items].reverse() };
    }),
  ].sort(() => random() - 0.5);

  const started = performance.now();
  const outcomes = await Promise.all(
    requests.map((req) =>
      h.saga.reservations.reserveStock(req).then(
        (ok): Outcome => ({ ok }),
        (e: unknown): Outcome => {
          if (!(e instanceof GrpcCallError)) throw e;
          return { code: e.code, reason: e.reason };
        },
      ),
    ),
  );
  const elapsedMs = Math.round(performance.now() - started);

  // Only two answers are acceptable: reserved, or OUT_OF_STOCK. (No ABORTED, no INTERNAL.)
  const byId = new Map<string, Outcome[]>();
  requests.forEach((req, i) =>
    byId.set(req.reservationId, [...(byId.get(req.reservationId) ?? []), outcomes[i]!]),
  );
  for (const o of outcomes) {
    if (!('ok' in o))
      expect([o.code, o.reason]).toEqual([status.FAILED_PRECONDITION, 'OUT_OF_STOCK']);
  }
  let repeatedIds = 0;
  for (const answers of byId.values()) {
    if (answers.length > 1) repeatedIds += 1;
    for (const a of answers) expect(a).toEqual(answers[0]);
  }

  // The database holds exactly the reservations answered OK, each with all its items.
  const okIds = [...byId].filter(([, a]) => 'ok' in a[0]!).map(([id]) => id);
  const stored = await storedReservations(h.db);
  expect([...stored.keys()].sort()).toEqual([...okIds].sort());
  for (const o of orders) {
    const s = stored.get(o.reservationId);
    if (s)
      expect(s).toEqual({
        status: 'ACTIVE',
        items: o.items.map((i) => `${i.sku}:${i.quantity}`).sort(),
      });
  }

  // available = on_hand - reserved never negative; on_hand - available == sum of ACTIVE items.
  expect(await invariantViolations(h.db)).toEqual([]);
  const state = await stockState(h.db);
  const demand = new Map(SKUS.map((s) => [s, 0]));
  for (const o of orders)
    for (const i of o.items) demand.set(i.sku, demand.get(i.sku)! + i.quantity);
  for (const sku of SKUS) {
    const s = state.get(sku)!;
    expect(s.onHand).toBe(ON_HAND);
    const { available } = await h.anonymous.inventory.getStock({ sku });
    expect(available).toBe(s.onHand - s.reserved);
    expect(ON_HAND - available).toBe(s.activeSum);
    expect(s.activeSum).toBeLessThanOrEqual(ON_HAND);
    expect(demand.get(sku)!).toBeGreaterThan(ON_HAND); // the test really contends for stock
  }
  const failed = byId.size - okIds.length;
  expect(okIds.length).toBeGreaterThan(10);
  expect(failed).toBeGreaterThan(10);
  console.log(
    `concurrency: ${REQUESTS} calls (${byId.size} ids, ${repeatedIds} repeated) in ${elapsedMs} ms; ` +
      `${okIds.length} reserved, ${failed} OUT_OF_STOCK; reserved per sku ` +
      SKUS.map((s) => `${s}=${state.get(s)!.reserved}/${ON_HAND} (demand ${demand.get(s)})`).join(
        ', ',
      ) +
      `; seed ${seed}`,
  );
});
