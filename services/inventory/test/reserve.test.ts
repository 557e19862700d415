/** ReserveStock and GetReservation against a real database: all-or-nothing, idempotency, errors, auth. */
import { status } from '@grpc/grpc-js';
import { ReservationStatus } from '@meshcart/proto/shop/inventory/v1/inventory';
import { failure, startInventory, type Harness } from './harness';
import { storedReservations } from './invariants';

let h: Harness;
beforeAll(async () => {
  h = await startInventory('inv_reserve');
});
afterAll(() => h?.stop());

const available = async (sku: string) => (await h.anonymous.inventory.getStock({ sku })).available;

test('reserves every item, answers in sku order and holds the stock', async () => {
  await h.seed({ 'RS-A1': 10, 'RS-B1': 5 });
  const { reservation } = await h.saga.reservations.reserveStock({
    reservationId: 'order-1',
    items: [
      { sku: 'RS-B1', quantity: 2 },
      { sku: 'RS-A1', quantity: 3 },
    ],
  });
  expect(reservation).toMatchObject({
    reservationId: 'order-1',
    status: ReservationStatus.RESERVATION_STATUS_ACTIVE,
    items: [
      { sku: 'RS-A1', quantity: 3 },
      { sku: 'RS-B1', quantity: 2 },
    ],
  });
  expect(Number(reservation!.createTime!.seconds)).toBeGreaterThan(0);
  expect([await available('RS-A1'), await available('RS-B1')]).toEqual([7, 3]);
  const got = await h.saga.reservations.getReservation({ reservationId: 'order-1' });
  expect(got.reservation).toEqual(reservation);
});

test('a repeat answers the first reservation, in any item order and even after stock changed', async () => {
  await h.seed({ 'RP-A1': 4, 'RP-B1': 4 });
  const items = [
    { sku: 'RP-A1', quantity: 2 },
    { sku: 'RP-B1', quantity: 1 },
  ];
  const first = await h.saga.reservations.reserveStock({ reservationId: 'order-rp', items });
  // Another order takes the rest: the repeat must still answer OK with the stored reservation.
  await h.saga.reservations.reserveStock({
    reservationId: 'order-rp-2',
    items: [{ sku: 'RP-A1', quantity: 2 }],
  });
  const again = await h.saga.reservations.reserveStock({
    reservationId: 'order-rp',
    items: [...items].reverse(),
  });
  expect(again).toEqual(first);
  expect(await available('RP-A1')).toBe(0);
  expect(await available('RP-B1')).toBe(3);
});

test('the same id with other items is refused with IDEMPOTENCY_KEY_REUSED', async () => {
  await h.seed({ 'IK-A1': 5 });
  await h.saga.reservations.reserveStock({
    reservationId: 'order-ik',
    items: [{ sku: 'IK-A1', quantity: 1 }],
  });
  const err = await failure(
    h.saga.reservations.reserveStock({
      reservationId: 'order-ik',
      items: [{ sku: 'IK-A1', quantity: 2 }],
    }),
  );
  expect([err.code, err.reason, err.domain]).toEqual([
    status.ALREADY_EXISTS,
    'IDEMPOTENCY_KEY_REUSED',
    'inventory.meshcart',
  ]);
  expect(await available('IK-A1')).toBe(4);
});

test('too little stock fails OUT_OF_STOCK, reserves nothing, stores nothing; the id works once stock arrives', async () => {
  await h.seed({ 'OS-A1': 5, 'OS-B1': 1 });
  const items = [
    { sku: 'OS-A1', quantity: 5 },
    { sku: 'OS-B1', quantity: 2 },
  ];
  const err = await failure(h.saga.reservations.reserveStock({ reservationId: 'order-os', items }));
  expect([err.code, err.reason]).toEqual([status.FAILED_PRECONDITION, 'OUT_OF_STOCK']);
  expect(err.metadata).toEqual({ sku: 'OS-B1', requested: '2', available: '1' });
  expect(await available('OS-A1')).toBe(5); // the item that fitted was not held either
  expect((await storedReservations(h.db)).has('order-os')).toBe(false);
  const missing = await failure(h.saga.reservations.getReservation({ reservationId: 'order-os' }));
  expect([missing.code, missing.reason]).toEqual([status.NOT_FOUND, 'RESERVATION_NOT_FOUND']);

  await h.admin.admin.adjustStock({ adjustmentId: 'restock-os', sku: 'OS-B1', delta: 1, note: '' });
  const { reservation } = await h.saga.reservations.reserveStock({
    reservationId: 'order-os',
    items,
  });
  expect(reservation!.status).toBe(ReservationStatus.RESERVATION_STATUS_ACTIVE);
});

test('an unknown sku is OUT_OF_STOCK with available 0', async () => {
  const err = await failure(
    h.saga.reservations.reserveStock({
      reservationId: 'order-unk',
      items: [{ sku: 'NEVER-STOCKED', quantity: 1 }],
    }),
  );
  expect([err.code, err.reason]).toEqual([status.FAILED_PRECONDITION, 'OUT_OF_STOCK']);
  expect(err.metadata).toEqual({ sku: 'NEVER-STOCKED', requested: '1', available: '0' });
});

test('invalid requests list every violation with JSON field paths', async () => {
  const err = await failure(
    h.saga.reservations.reserveStock({
      reservationId: 'bad id!',
      items: [
        { sku: 'OK-SKU', quantity: 0 },
        { sku: 'lower', quantity: 1001 },
        { sku: 'OK-SKU', quantity: 1 },
      ],
    }),
  );
  expect(err.code).toBe(status.INVALID_ARGUMENT);
  expect(err.violations.map((v) => v.field).sort()).toEqual(
    [
      'items[0].quantity',
      'items[1].quantity',
      'items[1].sku',
      'items[2].sku',
      'reservationId',
    ].sort(),
  );
  const empty = await failure(h.saga.reservations.reserveStock({ reservationId: 'o', items: [] }));
  expect(empty.violations.map((v) => v.field)).toEqual(['items']);
  const tooMany = Array.from({ length: 101 }, (_, i) => ({ sku: `MANY-${i}`, quantity: 1 }));
  const many = await failure(
    h.saga.reservations.reserveStock({ reservationId: 'o', items: tooMany }),
  );
  expect(many.violations.map((v) => v.field)).toEqual(['items']);
  const get = await failure(h.saga.reservations.getReservation({ reservationId: '' }));
  expect([get.code, get.violations.map((v) => v.field)]).toEqual([
    status.INVALID_ARGUMENT,
    ['reservationId'],
  ]);
});

test('a 100-item reservation works', async () => {
  const skus = Array.from({ length: 100 }, (_, i) => `BULK-${String(i).padStart(3, '0')}`);
  await h.seed(Object.fromEntries(skus.map((s) => [s, 2])));
  const { reservation } = await h.saga.reservations.reserveStock({
    reservationId: 'order-bulk',
    items: skus.map((sku) => ({ sku, quantity: 2 })),
  });
  expect(reservation!.items).toHaveLength(100);
  expect(await available('BULK-099')).toBe(0);
});

describe('access', () => {
  const calls = (c: Harness['saga']) => [
    () =>
      c.reservations.reserveStock({ reservationId: 'acc', items: [{ sku: 'ACC-1', quantity: 1 }] }),
    () => c.reservations.releaseReservation({ reservationId: 'acc' }),
    () => c.reservations.commitReservation({ reservationId: 'acc' }),
    () => c.reservations.returnReservation({ reservationId: 'acc' }),
    () => c.reservations.getReservation({ reservationId: 'acc' }),
  ];

  test('every ReservationService method needs a token', async () => {
    for (const call of calls(h.anonymous)) {
      const err = await failure(call());
      expect([err.code, err.reason]).toEqual([status.UNAUTHENTICATED, 'TOKEN_MISSING']);
    }
  });

  test('customers and admins may not call ReservationService', async () => {
    for (const who of [h.customer, h.admin]) {
      for (const call of calls(who)) {
        const err = await failure(call());
        expect([err.code, err.reason]).toEqual([status.PERMISSION_DENIED, 'ROLE_REQUIRED']);
      }
    }
    expect((await storedReservations(h.db)).has('acc')).toBe(false);
  });
});
