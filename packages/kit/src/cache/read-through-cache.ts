/**
 * A bounded in-process read-through cache for display reads: TTL, least-recently-used eviction,
 * one load per key at a time (single-flight), and invalidation that a racing load cannot undo.
 * Used by catalog (GetProduct) and inventory (GetStock).
 *
 * Race guard: every load is a "flight" object. invalidate(key) drops the entry, detaches the
 * key's flight (later callers start a new load) and marks it stale, and a stale flight never
 * stores its result. So a read that started before a write and returns after the write's
 * invalidation cannot put the old value back.
 */

export interface ReadThroughCacheOptions {
  /** How long a value is served, counted from when its load started; 0 turns caching off. */
  ttlMs: number;
  /** Most entries kept; the least recently used one goes first. */
  maxEntries: number;
  /** Monotonic clock in ms (tests pass a fake one). */
  now?: () => number;
}

export interface ReadThroughCache<V> {
  /** The cached value, else the loader's; `undefined` (absent) is cached like a value. */
  get(key: string): Promise<V | undefined>;
  /** Forgets `key`; a load of it in flight will not store its result. Call after a write commits. */
  invalidate(key: string): void;
  /** invalidate() for every key. */
  clear(): void;
  /** Entries held (expired ones included until touched or evicted). */
  readonly size: number;
}

interface Entry<V> {
  value: V | undefined;
  expiresAt: number;
}

interface Flight<V> {
  promise: Promise<V | undefined>;
  stale: boolean;
}

export function createReadThroughCache<V>(
  load: (key: string) => Promise<V | undefined>,
  opts: ReadThroughCacheOptions,
): ReadThroughCache<V> {
  if (!(opts.ttlMs >= 0)) throw new Error('ttlMs must be >= 0');
  if (!(opts.maxEntries >= 1)) throw new Error('maxEntries must be >= 1');
  const now = opts.now ?? (() => performance.now());
  const entries = new Map<string, Entry<V>>();
  const flights = new Map<string, Flight<V>>();

  const put = (key: string, value: V | undefined, expiresAt: number) => {
    if (expiresAt <= now()) return; // the load outlived the TTL: its value is already too old
    entries.delete(key); // re-insert: Map order is the recency order
    entries.set(key, { value, expiresAt });
    while (entries.size > opts.maxEntries) entries.delete(entries.keys().next().value as string);
  };

  const fly = (key: string): Promise<V | undefined> => {
    const startedAt = now();
    const flight = { stale: false } as Flight<V>;
    const land = () => {
      if (flights.get(key) === flight) flights.delete(key);
    };
    flight.promise = new Promise<V | undefined>((resolve) => resolve(load(key))).then(
      (value) => {
        land();
        if (!flight.stale) put(key, value, startedAt + opts.ttlMs);
        return value;
      },
      (e: unknown) => {
        land(); // failures are not cached: the next call tries again
        throw e;
      },
    );
    flights.set(key, flight);
    return flight.promise;
  };

  const detach = (key: string) => {
    const flight = flights.get(key);
    if (flight) flight.stale = true;
    flights.delete(key);
  };

  if (opts.ttlMs === 0) {
    return { get: load, invalidate: () => undefined, clear: () => undefined, size: 0 };
  }

  return {
    get(key) {
      const entry = entries.get(key);
      if (entry) {
        if (now() < entry.expiresAt) {
          entries.delete(key);
          entries.set(key, entry);
          return Promise.resolve(entry.value);
        }
        entries.delete(key);
      }
      return flights.get(key)?.promise ?? fly(key);
    },
    invalidate(key) {
      entries.delete(key);
      detach(key);
    },
    clear() {
      entries.clear();
      for (const key of [...flights.keys()]) detach(key);
    },
    get size() {
      return entries.size;
    },
  };
}
