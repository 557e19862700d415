import { errors } from '@meshcart/kit';
import type { Reservation, ReservationItem, Transition } from '../domain/reservation';
import { stockLevel, type StockLevel } from '../domain/stock';
import type { ReservationStore } from './reservation.store';
import { withStockCache, type StockCacheOptions, type StockStores } from './stock-cache';
import type { StockStore } from './stock.store';

/** In-memory stores counting stock reads; hold() makes reads wait after they looked. */
function fakeStores() {
  const stock = new Map<string, { onHand: number; reserved: number }>();
  const held = new Map<string, Reservation>();
  const calls = { get: 0 };
  let gate: Promise<void> | undefined;
  let failNext: Error | undefined;
  const level = (sku: string): StockLevel | undefined => {
    const s = stock.get(sku);
    return s && stockLevel(sku, s.onHand, s.reserved);
  };
  const move = (items: readonly ReservationItem[], onHand: number, reserved: number) => {
    for (const i of items) {
      const s = stock.get(i.sku)!;
      s.onHand += onHand * i.quantity;
      s.reserved += reserved * i.quantity;
    }
  };
  const EFFECT: Record<Transition, [number, number]> = {
    release: [0, -1],
    commit: [-1, -1],
    return: [1, 0],
  };
  const stockStore: StockStore = {
    async get(sku) {
      calls.get++;
      const seen = level(sku); // what the database answered...
      await gate; // ...arrives only now
      return seen;
    },
    async set({ sku, onHand }) {
      const s = stock.get(sku) ?? { onHand: 0, reserved: 0 };
      stock.set(sku, { ...s, onHand });
      return level(sku)!;
    },
    async adjust({ sku, delta }) {
      stock.get(sku)!.onHand += delta;
      return level(sku)!;
    },
  };
  const reservations: ReservationStore = {
    async reserve(id, items) {
      move(items, 0, 1);
      const r: Reservation = {
        id,
        status: 'ACTIVE',
        items: [...items],
        createdAt: new Date(0),
        updatedAt: new Date(0),
      };
      held.set(id, r);
      return r;
    },
    async transition(id, action) {
      if (failNext) {
        const e = failNext;
        failNext = undefined;
        throw e;
      }
      const r = held.get(id)!;
      move(r.items, ...EFFECT[action]);
      return r;
    },
    get: async (id) => held.get(id),
  };
  return {
    stores: { stock: stockStore, reservations } satisfies StockStores,
    calls,
    /** Another replica's (or an operator's SQL) change: this process does not see it happen. */
    setElsewhere: (sku: string, onHand: number) => stock.set(sku, { onHand, reserved: 0 }),
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = undefined;
        open();
      };
    },
    failNextTransition: (e: Error) => (failNext = e),
  };
}

let t = 0;
const now = () => t;
beforeEach(() => (t = 1_000));

function setup(opts: Partial<StockCacheOptions> = {}) {
  const fake = fakeStores();
  fake.setElsewhere('MUG-1', 10);
  fake.setElsewhere('PAN-1', 10);
  const cached = withStockCache(fake.stores, { ttlMs: 250, maxEntries: 100, now, ...opts });
  const available = async (sku: string) => (await cached.stock.get(sku))?.available;
  return { ...fake, cached, available };
}

const change = { actor: 'admin:test', note: '' };

test('a hit is served without reading the store', async () => {
  const { available, calls } = setup();
  expect([await available('MUG-1'), await available('MUG-1')]).toEqual([10, 10]);
  expect(calls.get).toBe(1);
});

test('an entry is served until its TTL has passed, then read again', async () => {
  const { available, calls, setElsewhere } = setup();
  await available('MUG-1');
  setElsewhere('MUG-1', 3);
  t += 249;
  expect(await available('MUG-1')).toBe(10);
  t += 1;
  expect(await available('MUG-1')).toBe(3);
  expect(calls.get).toBe(2);
});

test('reserve and each transition invalidate the skus of the reservation', async () => {
  const { cached, available } = setup();
  const steps: Array<[string, () => Promise<unknown>, number]> = [
    ['reserve', () => cached.reservations.reserve('r1', [{ sku: 'MUG-1', quantity: 4 }]), 6],
    ['release', () => cached.reservations.transition('r1', 'release'), 10],
    ['reserve', () => cached.reservations.reserve('r2', [{ sku: 'MUG-1', quantity: 2 }]), 8],
    ['commit', () => cached.reservations.transition('r2', 'commit'), 8],
    ['return', () => cached.reservations.transition('r2', 'return'), 10],
  ];
  expect(await available('MUG-1')).toBe(10);
  for (const [name, write, expected] of steps) {
    await write();
    expect([name, await available('MUG-1')]).toEqual([name, expected]);
  }
});

test('SetStock and AdjustStock invalidate their sku; a set that creates a sku ends its NOT_FOUND', async () => {
  const { cached, available, calls } = setup();
  await available('MUG-1');
  await cached.stock.set({ ...change, sku: 'MUG-1', onHand: 7 });
  expect(await available('MUG-1')).toBe(7);
  await cached.stock.adjust({ ...change, adjustmentId: 'a1', sku: 'MUG-1', delta: 5 });
  expect(await available('MUG-1')).toBe(12);
  expect([await available('NEW-1'), await available('NEW-1')]).toEqual([undefined, undefined]);
  expect(calls.get).toBe(4); // the unknown sku was read once: absence is cached too
  await cached.stock.set({ ...change, sku: 'NEW-1', onHand: 1 });
  expect(await available('NEW-1')).toBe(1);
});

test('a slow GetStock that started before a reservation cannot put the old level back', async () => {
  const { cached, available, calls, hold } = setup();
  const release = hold();
  const slow = available('MUG-1'); // the database answers 10; the answer arrives late
  await cached.reservations.reserve('r1', [{ sku: 'MUG-1', quantity: 4 }]);
  release();
  expect(await slow).toBe(10); // it overlapped the write: either answer is fair
  expect(await available('MUG-1')).toBe(6);
  expect(calls.get).toBe(2);
});

test('a GetStock started after a write does not join one started before it', async () => {
  const { cached, available, calls, hold } = setup();
  const release = hold();
  const before = available('MUG-1');
  await cached.stock.adjust({ ...change, adjustmentId: 'a1', sku: 'MUG-1', delta: -3 });
  const after = available('MUG-1');
  release();
  expect([await before, await after]).toEqual([10, 7]);
  expect(await available('MUG-1')).toBe(7);
  expect(calls.get).toBe(2);
});

test('concurrent misses for one sku share one read (single-flight)', async () => {
  const { available, calls, hold } = setup();
  const release = hold();
  const all = Promise.all(Array.from({ length: 8 }, () => available('MUG-1')));
  release();
  expect(await all).toEqual(Array(8).fill(10));
  expect(calls.get).toBe(1);
});

test('holds at most maxEntries, dropping the least recently read', async () => {
  const { available, calls } = setup({ maxEntries: 1 });
  await available('MUG-1');
  await available('PAN-1'); // evicts MUG-1
  await available('PAN-1');
  expect(calls.get).toBe(2);
  await available('MUG-1');
  expect(calls.get).toBe(3);
});

test('TTL 0 disables the cache: the stores are used as they are', async () => {
  const { cached, stores, available, calls } = setup({ ttlMs: 0 });
  expect(cached).toBe(stores);
  await available('MUG-1');
  await available('MUG-1');
  expect(calls.get).toBe(2);
});

test('a failed transition: a refusal keeps the cache, any other failure empties it', async () => {
  const { cached, available, calls, failNextTransition, setElsewhere } = setup();
  await cached.reservations.reserve('r1', [{ sku: 'MUG-1', quantity: 1 }]);
  await available('MUG-1');
  await available('PAN-1');
  failNextTransition(errors.failedPrecondition('RESERVATION_COMMITTED'));
  await expect(cached.reservations.transition('r1', 'release')).rejects.toThrow();
  await available('PAN-1');
  expect(calls.get).toBe(2);
  // A lost COMMIT acknowledgement: the write may have happened, on skus we cannot name.
  setElsewhere('PAN-1', 4);
  failNextTransition(errors.unavailable('DATABASE_UNAVAILABLE'));
  await expect(cached.reservations.transition('r1', 'release')).rejects.toThrow();
  expect(await available('PAN-1')).toBe(4);
  expect(calls.get).toBe(3);
});
