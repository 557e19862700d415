import { status } from '@grpc/grpc-js';
import { DomainError } from '@meshcart/kit';
import { afterFailure, type BackoffPolicy, type FailureRecord } from '../domain/login-backoff';
import type { LoginThrottleStore } from '../store/login-throttle.store';
import { createLoginThrottle } from './login-throttle';

/** The store's contract in memory (the DB-backed one is pinned in test/login-throttle.test.ts). */
function memoryStore(): LoginThrottleStore & { rows: Map<string, FailureRecord> } {
  const rows = new Map<string, FailureRecord>();
  return {
    rows,
    records: async (keys) => new Map(keys.flatMap((k) => (rows.has(k) ? [[k, rows.get(k)!]] : []))),
    recordFailure: async (key, p, nowMs) =>
      void rows.set(key, afterFailure(rows.get(key), p, nowMs)),
    reset: async (key) => void rows.delete(key),
    sweep: async () => 0,
  };
}

const policy = (freeFailures: number): BackoffPolicy => ({
  freeFailures,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  windowMs: 60_000,
});

function setup() {
  let t = 1_000_000;
  const store = memoryStore();
  const throttle = createLoginThrottle({
    store,
    account: policy(2),
    ip: policy(3),
    keySecret: 'unit-test-secret-key',
    now: () => t,
  });
  const advance = (ms: number) => (t += ms);
  return { store, throttle, advance };
}

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    (v) => (v === undefined ? 'FAILED' : 'OK'),
    (e: unknown) => (e instanceof DomainError ? `${status[e.code]} ${e.reason}` : String(e)),
  );

test('the account locks after its free failures, the IP after its own, each with its delay', async () => {
  const { throttle, advance } = setup();
  const wrong = async () => undefined;
  expect(await reasonOf(throttle.attempt('a@x.io', '1.2.3.4', wrong))).toBe('FAILED');
  expect(await reasonOf(throttle.attempt('a@x.io', '1.2.3.4', wrong))).toBe('FAILED');
  expect(await reasonOf(throttle.attempt('a@x.io', '1.2.3.4', wrong))).toBe(
    'RESOURCE_EXHAUSTED LOGIN_THROTTLED',
  );
  // The IP has 2 failures of 3: one more from another account locks it for everyone there.
  expect(await reasonOf(throttle.attempt('b@x.io', '1.2.3.4', wrong))).toBe('FAILED');
  expect(await reasonOf(throttle.attempt('c@x.io', '1.2.3.4', async () => 'user'))).toBe(
    'RESOURCE_EXHAUSTED LOGIN_THROTTLED',
  );
  // Another IP and another account are unaffected.
  expect(await reasonOf(throttle.attempt('c@x.io', '5.6.7.8', async () => 'user'))).toBe('OK');
  advance(1_000);
  expect(await reasonOf(throttle.attempt('a@x.io', '5.6.7.8', async () => 'user'))).toBe('OK');
});

test('a success resets the account but not the IP', async () => {
  const { store, throttle } = setup();
  await throttle.attempt('a@x.io', '1.2.3.4', async () => undefined);
  expect(store.rows.size).toBe(2);
  await throttle.attempt('a@x.io', '1.2.3.4', async () => 'user');
  expect([...store.rows.values()]).toEqual([{ failures: 1, lastFailureMs: 1_000_000 }]);
});

test('the refusal says how long to wait, and login is not run', async () => {
  const { throttle, advance } = setup();
  await throttle.attempt('a@x.io', undefined, async () => undefined);
  await throttle.attempt('a@x.io', undefined, async () => undefined);
  advance(300);
  let ran = false;
  const e = await throttle
    .attempt('a@x.io', undefined, async () => ((ran = true), 'user'))
    .catch((err: DomainError) => err);
  expect(e).toMatchObject({ reason: 'LOGIN_THROTTLED', metadata: { retryDelayMs: '700' } });
  expect(ran).toBe(false);
});

test('attempts on one account run one at a time; one whose call ended meanwhile is dropped', async () => {
  const { throttle } = setup();
  let release!: () => void;
  const first = throttle.attempt(
    'a@x.io',
    undefined,
    () => new Promise<string>((r) => (release = () => r('user'))),
  );
  const aborted = new AbortController();
  let ran = false;
  const second = throttle.attempt(
    'a@x.io',
    undefined,
    async () => ((ran = true), 'user'),
    aborted.signal,
  );
  const other = throttle.attempt('b@x.io', undefined, async () => 'user');
  await expect(other).resolves.toBe('user'); // another account does not wait
  aborted.abort(new Error('deadline'));
  release();
  await expect(first).resolves.toBe('user');
  await expect(second).rejects.toThrow('deadline');
  expect(ran).toBe(false);
});

test('sweep repeats full batches until one comes back short, past cap + window of both policies', async () => {
  const store = memoryStore();
  const batches = [1_000, 1_000, 3];
  const cutoffs: number[] = [];
  store.sweep = async (cutoffMs) => (cutoffs.push(cutoffMs), batches.shift() ?? 0);
  const throttle = createLoginThrottle({
    store,
    account: policy(2),
    ip: { ...policy(3), windowMs: 120_000 },
    keySecret: 'unit-test-secret-key',
    now: () => 10_000_000,
  });
  expect(await throttle.sweep()).toBe(2_003);
  expect(cutoffs).toEqual(Array(3).fill(10_000_000 - 60_000 - 120_000));
});
