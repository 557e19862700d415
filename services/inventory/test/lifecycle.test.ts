/** Release, Commit, Return: idempotent transitions, their stock effects and every refusal. */
import { status } from '@grpc/grpc-js';
import { ReservationStatus } from '@meshcart/proto/shop/inventory/v1/inventory';
import { failure, startInventory, type Harness } from './harness';
import { invariantViolations, stockState } from './invariants';

let h: Harness;
beforeAll(async () => {
  h = await startInventory('inv_lifecycle');
});
afterAll(() => h?.stop());

const S = ReservationStatus;
let n = 0;
/** A fresh sku with `onHand` and an ACTIVE reservation of `quantity` of it. */
async function reserved(onHand = 10, quantity = 4): Promise<{ id: string; sku: string }> {
  n += 1;
  const sku = `LC-${n}`;
  const id = `order-lc-${n}`;
  await h.seed({ [sku]: onHand });
  await h.saga.reservations.reserveStock({ reservationId: id, items: [{ sku, quantity }] });
  return { id, sku };
}
const level = async (sku: string) => {
  const s = (await stockState(h.db)).get(sku)!;
  return { onHand: s.onHand, reserved: s.reserved };
};
const r = () => h.saga.reservations;

afterEach(async () => expect(await invariantViolations(h.db)).toEqual([]));

test('release frees the stock once; repeats answer the same', async () => {
  const { id, sku } = await reserved();
  const first = await r().releaseReservation({ reservationId: id });
  expect(first.reservation!.status).toBe(S.RESERVATION_STATUS_RELEASED);
  expect(await level(sku)).toEqual({ onHand: 10, reserved: 0 });
  expect(await r().releaseReservation({ reservationId: id })).toEqual(first);
  expect(await level(sku)).toEqual({ onHand: 10, reserved: 0 });
});

test('commit takes the stock off hand once; repeats answer the same', async () => {
  const { id, sku } = await reserved();
  const first = await r().commitReservation({ reservationId: id });
  expect(first.reservation!.status).toBe(S.RESERVATION_STATUS_COMMITTED);
  expect(await level(sku)).toEqual({ onHand: 6, reserved: 0 });
  expect(await r().commitReservation({ reservationId: id })).toEqual(first);
  expect(await level(sku)).toEqual({ onHand: 6, reserved: 0 });
});

test('return puts committed quantities back on hand once', async () => {
  const { id, sku } = await reserved();
  await r().commitReservation({ reservationId: id });
  const first = await r().returnReservation({ reservationId: id });
  expect(first.reservation).toMatchObject({
    status: S.RESERVATION_STATUS_RETURNED,
    items: [{ sku, quantity: 4 }],
  });
  expect(await level(sku)).toEqual({ onHand: 10, reserved: 0 });
  expect(await r().returnReservation({ reservationId: id })).toEqual(first);
  expect(await level(sku)).toEqual({ onHand: 10, reserved: 0 });
  // Committing a returned reservation again is a harmless repeat, releasing it is refused.
  expect((await r().commitReservation({ reservationId: id })).reservation!.status).toBe(
    S.RESERVATION_STATUS_RETURNED,
  );
  const release = await failure(r().releaseReservation({ reservationId: id }));
  expect([release.code, release.reason]).toEqual([
    status.FAILED_PRECONDITION,
    'RESERVATION_COMMITTED',
  ]);
});

test('release after commit is RESERVATION_COMMITTED; commit after release is RESERVATION_RELEASED', async () => {
  const a = await reserved();
  await r().commitReservation({ reservationId: a.id });
  const release = await failure(r().releaseReservation({ reservationId: a.id }));
  expect([release.code, release.reason]).toEqual([
    status.FAILED_PRECONDITION,
    'RESERVATION_COMMITTED',
  ]);
  expect(release.metadata).toEqual({ reservationId: a.id });

  const b = await reserved();
  await r().releaseReservation({ reservationId: b.id });
  const commit = await failure(r().commitReservation({ reservationId: b.id }));
  expect([commit.code, commit.reason]).toEqual([
    status.FAILED_PRECONDITION,
    'RESERVATION_RELEASED',
  ]);
  expect(await level(b.sku)).toEqual({ onHand: 10, reserved: 0 });
});

test('return of an ACTIVE or RELEASED reservation is RESERVATION_NOT_COMMITTED', async () => {
  const a = await reserved();
  const active = await failure(r().returnReservation({ reservationId: a.id }));
  expect([active.code, active.reason]).toEqual([
    status.FAILED_PRECONDITION,
    'RESERVATION_NOT_COMMITTED',
  ]);
  await r().releaseReservation({ reservationId: a.id });
  const released = await failure(r().returnReservation({ reservationId: a.id }));
  expect([released.code, released.reason]).toEqual([
    status.FAILED_PRECONDITION,
    'RESERVATION_NOT_COMMITTED',
  ]);
});

test('commit, return and get of an unknown id are NOT_FOUND', async () => {
  for (const call of [r().commitReservation, r().returnReservation, r().getReservation]) {
    const err = await failure(call({ reservationId: 'order-nobody' }));
    expect([err.code, err.reason]).toEqual([status.NOT_FOUND, 'RESERVATION_NOT_FOUND']);
  }
});

test('a release that overtakes its reserve leaves a tombstone: the late reserve is refused', async () => {
  await h.seed({ 'TS-A1': 5 });
  const released = await r().releaseReservation({ reservationId: 'order-ts' });
  expect(released.reservation).toMatchObject({ status: S.RESERVATION_STATUS_RELEASED, items: [] });
  const late = await failure(
    r().reserveStock({ reservationId: 'order-ts', items: [{ sku: 'TS-A1', quantity: 1 }] }),
  );
  expect([late.code, late.reason]).toEqual([status.FAILED_PRECONDITION, 'RESERVATION_RELEASED']);
  expect(await level('TS-A1')).toEqual({ onHand: 5, reserved: 0 });
  // The tombstone behaves like any released reservation.
  expect(await r().releaseReservation({ reservationId: 'order-ts' })).toEqual(released);
  const commit = await failure(r().commitReservation({ reservationId: 'order-ts' }));
  expect(commit.reason).toBe('RESERVATION_RELEASED');
  expect((await r().getReservation({ reservationId: 'order-ts' })).reservation).toEqual(
    released.reservation,
  );
});

test('reserving again after a real release is refused too (stock nobody would release)', async () => {
  const { id, sku } = await reserved();
  await r().releaseReservation({ reservationId: id });
  const again = await failure(
    r().reserveStock({ reservationId: id, items: [{ sku, quantity: 4 }] }),
  );
  expect([again.code, again.reason]).toEqual([status.FAILED_PRECONDITION, 'RESERVATION_RELEASED']);
  const other = await failure(
    r().reserveStock({ reservationId: id, items: [{ sku, quantity: 1 }] }),
  );
  expect(other.reason).toBe('IDEMPOTENCY_KEY_REUSED');
});

test('a repeated reserve of a committed reservation answers it (late retry of a finished step)', async () => {
  const { id, sku } = await reserved();
  await r().commitReservation({ reservationId: id });
  const again = await r().reserveStock({ reservationId: id, items: [{ sku, quantity: 4 }] });
  expect(again.reservation!.status).toBe(S.RESERVATION_STATUS_COMMITTED);
  expect(await level(sku)).toEqual({ onHand: 6, reserved: 0 });
});

test('racing reserve and release of the same ids always end with nothing held', async () => {
  await h.seed({ 'RACE-A': 1000, 'RACE-B': 1000 });
  const ids = Array.from({ length: 30 }, (_, i) => `order-race-${i}`);
  const items = [
    { sku: 'RACE-A', quantity: 2 },
    { sku: 'RACE-B', quantity: 1 },
  ];
  await Promise.all(
    ids.flatMap((id) => [
      r()
        .reserveStock({ reservationId: id, items })
        .catch((e: { reason?: string }) => e.reason),
      r().releaseReservation({ reservationId: id }),
    ]),
  );
  // Whichever ran first, every id ends RELEASED and no stock stays held.
  for (const id of ids) {
    expect((await r().getReservation({ reservationId: id })).reservation!.status).toBe(
      S.RESERVATION_STATUS_RELEASED,
    );
  }
  expect(await level('RACE-A')).toEqual({ onHand: 1000, reserved: 0 });
  expect(await level('RACE-B')).toEqual({ onHand: 1000, reserved: 0 });
});
