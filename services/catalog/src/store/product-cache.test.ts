import { status } from '@grpc/grpc-js';
import { errors, type DomainError } from '@meshcart/kit';
import type { Product, ProductFields } from '../domain/product';
import { productNotFound, type CatalogStore } from './catalog.store';
import { withProductCache, type ProductCacheOptions } from './product-cache';

const fieldsNamed = (name: string): ProductFields => ({
  name,
  description: '',
  category: 'kitchen',
  price: { currencyCode: 'EUR', amountMinor: 100n },
  active: true,
});

/** An in-memory CatalogStore counting its reads; hold() makes reads wait after they looked. */
function fakeStore() {
  const rows = new Map<string, Product>();
  const calls = { get: 0, getMany: 0, listActive: 0 };
  let gate: Promise<void> | undefined;
  let failNext: Error | undefined;
  const put = (sku: string, fields: ProductFields): Product => {
    const p = { sku, ...fields, updatedAt: new Date(0) };
    rows.set(sku, p);
    return p;
  };
  const store: CatalogStore = {
    async get(sku) {
      calls.get++;
      const seen = rows.get(sku); // what the database answered...
      await gate; // ...arrives only now
      if (failNext) {
        const e = failNext;
        failNext = undefined;
        throw e;
      }
      if (!seen) throw productNotFound(sku);
      return seen;
    },
    listActive: async () => (calls.listActive++, [...rows.values()]),
    getMany: async (skus) => (calls.getMany++, skus.flatMap((s) => rows.get(s) ?? [])),
    create: async (sku, fields) => put(sku, fields),
    async update(sku, fields) {
      if (!rows.has(sku)) throw productNotFound(sku);
      return put(sku, fields);
    },
  };
  return {
    store,
    calls,
    put,
    /** Reads started from now on wait until the returned function is called. */
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = undefined;
        open();
      };
    },
    failNextRead: (e: Error) => (failNext = e),
  };
}

let t = 0;
const now = () => t;
beforeEach(() => (t = 1_000));

function setup(opts: Partial<ProductCacheOptions> = {}) {
  const fake = fakeStore();
  fake.put('MUG-1', fieldsNamed('old'));
  const cached = withProductCache(fake.store, { ttlMs: 1_000, maxEntries: 100, now, ...opts });
  return { ...fake, cached };
}

const nameOf = async (p: Promise<Product>) => (await p).name;

async function notFound(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected NOT_FOUND');
}

test('a hit is served without reading the store; list and batch reads always read it', async () => {
  const { cached, calls } = setup();
  expect(await nameOf(cached.get('MUG-1'))).toBe('old');
  expect(await nameOf(cached.get('MUG-1'))).toBe('old');
  expect(calls.get).toBe(1);
  await cached.getMany(['MUG-1']);
  await cached.getMany(['MUG-1']);
  await cached.listActive({ category: '', afterSku: undefined, limit: 10 });
  await cached.listActive({ category: '', afterSku: undefined, limit: 10 });
  expect([calls.getMany, calls.listActive]).toEqual([2, 2]);
});

test('an entry is served until its TTL (counted from the load) has passed, then read again', async () => {
  const { cached, calls, put } = setup();
  await cached.get('MUG-1');
  put('MUG-1', fieldsNamed('changed by another replica'));
  t += 999;
  expect(await nameOf(cached.get('MUG-1'))).toBe('old');
  t += 1;
  expect(await nameOf(cached.get('MUG-1'))).toBe('changed by another replica');
  expect(calls.get).toBe(2);
});

test('update and create invalidate their sku once the write returns', async () => {
  const { cached, calls } = setup();
  await cached.get('MUG-1');
  await cached.update('MUG-1', fieldsNamed('new'));
  expect(await nameOf(cached.get('MUG-1'))).toBe('new');
  await cached.create('MUG-1', fieldsNamed('newer')); // the fake overwrites: any write counts
  expect(await nameOf(cached.get('MUG-1'))).toBe('newer');
  expect(calls.get).toBe(3);
});

test('a failed write still invalidates (its commit may have happened)', async () => {
  const { cached, calls, store } = setup();
  await cached.get('MUG-1');
  store.update = async () => {
    throw errors.unavailable('DATABASE_UNAVAILABLE');
  };
  await expect(cached.update('MUG-1', fieldsNamed('x'))).rejects.toThrow();
  await cached.get('MUG-1');
  expect(calls.get).toBe(2);
});

test('a slow read that started before a write cannot put the old value back', async () => {
  const { cached, calls, hold } = setup();
  const release = hold();
  const slow = cached.get('MUG-1'); // the database answers "old"; the answer arrives late
  await cached.update('MUG-1', fieldsNamed('new'));
  release();
  expect(await nameOf(slow)).toBe('old'); // it overlapped the write: either answer is fair
  expect(await nameOf(cached.get('MUG-1'))).toBe('new');
  expect(calls.get).toBe(2);
});

test('a read started after a write does not join a read started before it', async () => {
  const { cached, calls, hold } = setup();
  const release = hold();
  const before = cached.get('MUG-1');
  await cached.update('MUG-1', fieldsNamed('new'));
  const after = cached.get('MUG-1');
  release();
  expect([await nameOf(before), await nameOf(after)]).toEqual(['old', 'new']);
  expect(await nameOf(cached.get('MUG-1'))).toBe('new');
  expect(calls.get).toBe(2);
});

test('concurrent misses for one sku share one read (single-flight)', async () => {
  const { cached, calls, hold } = setup();
  const release = hold();
  const all = Promise.all(Array.from({ length: 8 }, () => nameOf(cached.get('MUG-1'))));
  release();
  expect(await all).toEqual(Array(8).fill('old'));
  expect(calls.get).toBe(1);
});

test('a failed read is shared by its joiners but not cached', async () => {
  const { cached, calls, failNextRead } = setup();
  failNextRead(errors.unavailable('DATABASE_UNAVAILABLE'));
  const [a, b] = await Promise.allSettled([cached.get('MUG-1'), cached.get('MUG-1')]);
  expect([a.status, b.status]).toEqual(['rejected', 'rejected']);
  expect(await nameOf(cached.get('MUG-1'))).toBe('old');
  expect(calls.get).toBe(2);
});

test('holds at most maxEntries, dropping the least recently read', async () => {
  const { cached, calls, put } = setup({ maxEntries: 2 });
  put('PAN-1', fieldsNamed('pan'));
  put('POT-1', fieldsNamed('pot'));
  await cached.get('MUG-1');
  await cached.get('PAN-1');
  await cached.get('MUG-1'); // hit: MUG-1 is now the most recent
  await cached.get('POT-1'); // evicts PAN-1
  expect(calls.get).toBe(3);
  await cached.get('MUG-1');
  expect(calls.get).toBe(3);
  await cached.get('PAN-1');
  expect(calls.get).toBe(4);
});

test('TTL 0 disables the cache: every read goes to the store', async () => {
  const { cached, calls, store } = setup({ ttlMs: 0 });
  expect(cached).toBe(store);
  await cached.get('MUG-1');
  await cached.get('MUG-1');
  expect(calls.get).toBe(2);
});

test('NOT_FOUND is answered as the store does, cached for the TTL, and undone by create', async () => {
  const { cached, calls } = setup();
  for (let i = 0; i < 2; i++) {
    const err = await notFound(cached.get('NEW-1'));
    expect([err.code, err.reason, err.metadata]).toEqual([
      status.NOT_FOUND,
      'PRODUCT_NOT_FOUND',
      { sku: 'NEW-1' },
    ]);
  }
  expect(calls.get).toBe(1);
  await cached.create('NEW-1', fieldsNamed('created'));
  expect(await nameOf(cached.get('NEW-1'))).toBe('created');
  expect(calls.get).toBe(2);
});

test('a read that took longer than the TTL is answered but never served again', async () => {
  const { cached, calls, hold } = setup();
  const release = hold();
  const slow = cached.get('MUG-1');
  t += 1_000;
  release();
  await slow;
  await cached.get('MUG-1');
  expect(calls.get).toBe(2);
});
