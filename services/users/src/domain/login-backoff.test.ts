import {
  afterFailure,
  isStale,
  lockoutMs,
  remainingLockoutMs,
  retentionMs,
  type BackoffPolicy,
  type FailureRecord,
} from './login-backoff';

const policy: BackoffPolicy = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};

test('the first N-1 failures are free, the Nth locks for the base delay, each further doubles', () => {
  expect([0, 1, 2, 3, 4].map((f) => lockoutMs(f, policy))).toEqual([0, 0, 0, 0, 0]);
  expect([5, 6, 7, 8, 9].map((f) => lockoutMs(f, policy))).toEqual([
    1_000, 2_000, 4_000, 8_000, 16_000,
  ]);
});

test('the delay is capped, also for absurd failure counts', () => {
  expect(lockoutMs(14, policy)).toBe(512_000);
  expect(lockoutMs(15, policy)).toBe(900_000);
  expect(lockoutMs(1_000_000, policy)).toBe(900_000);
});

test('failures accumulate while the key is active and restart once it was quiet for the window', () => {
  let r: FailureRecord | undefined;
  for (let i = 0; i < 5; i++) r = afterFailure(r, policy, 1_000 * i);
  expect(r).toEqual({ failures: 5, lastFailureMs: 4_000 });
  expect(remainingLockoutMs(r!, policy, 4_000)).toBe(1_000);
  expect(remainingLockoutMs(r!, policy, 4_600)).toBe(400);
  expect(remainingLockoutMs(r!, policy, 5_000)).toBe(0);
  // Waiting out a lockout does not earn fresh free failures: the count goes on.
  r = afterFailure(r, policy, 5_000);
  expect(r).toEqual({ failures: 6, lastFailureMs: 5_000 });
  expect(remainingLockoutMs(r, policy, 5_000)).toBe(2_000);
  // Quiet for the window after the lockout ended (5 s + 2 s + 15 min): the count starts over.
  expect(isStale(r, policy, 7_000 + policy.windowMs - 1)).toBe(false);
  expect(isStale(r, policy, 7_000 + policy.windowMs)).toBe(true);
  expect(afterFailure(r, policy, 7_000 + policy.windowMs).failures).toBe(1);
});

test('a record older than the retention can never be locked nor counted again', () => {
  const r = { failures: 1_000, lastFailureMs: 0 };
  expect(isStale(r, policy, retentionMs(policy))).toBe(true);
  expect(isStale(r, policy, retentionMs(policy) - 1)).toBe(false);
});
