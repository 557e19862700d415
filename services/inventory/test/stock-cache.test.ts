/**
 * The GetStock cache in the real service (real MariaDB): this process's reservations and stock
 * changes show at once; a change it did not make (another replica) shows within the TTL; the
 * reservation decision reads the database, never the cache. The cache's clock is frozen, so
 * nothing here passes by the TTL running out by chance.
 */
import { status } from '@grpc/grpc-js';
import { STOCK_CACHE_DEFAULTS } from '../src/config';
import { failure, startInventory, type Harness } from './harness';

let h: Harness;
let clock = 0;
beforeAll(async () => {
  h = await startInventory('inv_cache', {
    stockCache: { ...STOCK_CACHE_DEFAULTS, now: () => clock },
  });
});
afterAll(() => h?.stop());

const available = async (sku: string) => (await h.anonymous.inventory.getStock({ sku })).available;
/** A change this process does not see: another replica's write. */
const setElsewhere = (sku: string, onHand: number) =>
  h.db.pool.query('UPDATE stock SET on_hand = ? WHERE sku = ?', [onHand, sku]);

test('GetStock reflects each reservation step at once', async () => {
  await h.seed({ 'SC-A1': 10 });
  const reserve = (reservationId: string, quantity: number) =>
    h.saga.reservations.reserveStock({ reservationId, items: [{ sku: 'SC-A1', quantity }] });
  expect(await available('SC-A1')).toBe(10);
  await reserve('order-sc-1', 4);
  expect(await available('SC-A1')).toBe(6);
  await h.saga.reservations.releaseReservation({ reservationId: 'order-sc-1' });
  expect(await available('SC-A1')).toBe(10);
  await reserve('order-sc-2', 3);
  expect(await available('SC-A1')).toBe(7);
  await h.saga.reservations.commitReservation({ reservationId: 'order-sc-2' });
  expect(await available('SC-A1')).toBe(7);
  await h.admin.admin.adjustStock({ adjustmentId: 'adj-sc', sku: 'SC-A1', delta: -2, note: '' });
  expect(await available('SC-A1')).toBe(5);
  await h.saga.reservations.returnReservation({ reservationId: 'order-sc-2' });
  expect(await available('SC-A1')).toBe(8);
  await h.admin.admin.setStock({ sku: 'SC-A1', onHand: 1, note: '' });
  expect(await available('SC-A1')).toBe(1);
});

test('an unknown sku stays NOT_FOUND while cached, and a SetStock that creates it ends that at once', async () => {
  for (let i = 0; i < 2; i++) {
    const err = await failure(h.anonymous.inventory.getStock({ sku: 'SC-NEW' }));
    expect([err.code, err.reason]).toEqual([status.NOT_FOUND, 'SKU_NOT_FOUND']);
  }
  await h.admin.admin.setStock({ sku: 'SC-NEW', onHand: 2, note: '' });
  expect(await available('SC-NEW')).toBe(2);
});

test("another replica's change shows within the TTL; ReserveStock decides on the database", async () => {
  await h.seed({ 'SC-B1': 5, 'SC-B2': 0 });
  expect([await available('SC-B1'), await available('SC-B2')]).toEqual([5, 0]);
  await setElsewhere('SC-B1', 0);
  await setElsewhere('SC-B2', 3);
  expect([await available('SC-B1'), await available('SC-B2')]).toEqual([5, 0]);
  const short = await failure(
    h.saga.reservations.reserveStock({
      reservationId: 'order-sc-b1',
      items: [{ sku: 'SC-B1', quantity: 1 }],
    }),
  );
  expect([short.code, short.reason]).toEqual([status.FAILED_PRECONDITION, 'OUT_OF_STOCK']);
  await h.saga.reservations.reserveStock({
    reservationId: 'order-sc-b2',
    items: [{ sku: 'SC-B2', quantity: 2 }],
  });
  expect(await available('SC-B2')).toBe(1); // invalidated by the reservation, read afresh
  clock += STOCK_CACHE_DEFAULTS.ttlMs;
  expect(await available('SC-B1')).toBe(0);
});
