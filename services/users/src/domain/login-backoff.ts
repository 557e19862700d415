/**
 * The login backoff schedule (pure): a key (an account or a client IP) may fail `freeFailures`
 * times; from then on every failure locks the key for a delay that doubles with each further
 * failure (base, 2 x base, 4 x base, ...) up to `maxDelayMs`. The count restarts once the key has
 * been quiet for `windowMs` AFTER its lockout ended, so a patient guesser who waits out each
 * lockout keeps climbing the schedule instead of earning fresh free attempts.
 *
 * The store runs the same arithmetic inside its upsert (login-throttle.store.ts); the tests pin
 * both to this module.
 */

export interface BackoffPolicy {
  /** Failures answered normally before the first lockout (the lockout starts with the Nth). */
  freeFailures: number;
  /** Lockout after the Nth failure; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Quiet time after a lockout ends after which the count starts over. */
  windowMs: number;
}

/** What the store keeps per key. */
export interface FailureRecord {
  failures: number;
  lastFailureMs: number;
}

/**
 * Largest exponent ever used: 2^40 x 1 ms is 35 years, far past any cap, and keeps the number
 * exact (the store clamps the same way so its double arithmetic agrees).
 */
export const MAX_DOUBLINGS = 40;

/** The lockout that follows the `failures`th failure (0 while failures are still free). */
export function lockoutMs(failures: number, p: BackoffPolicy): number {
  if (failures < p.freeFailures) return 0;
  const doublings = Math.min(failures - p.freeFailures, MAX_DOUBLINGS);
  return Math.min(p.baseDelayMs * 2 ** doublings, p.maxDelayMs);
}

/** When the key's lockout ends (<= lastFailureMs when it is not locked). */
export const lockedUntilMs = (r: FailureRecord, p: BackoffPolicy): number =>
  r.lastFailureMs + lockoutMs(r.failures, p);

/** True once the record no longer counts: quiet for windowMs after its lockout ended. */
export const isStale = (r: FailureRecord, p: BackoffPolicy, nowMs: number): boolean =>
  lockedUntilMs(r, p) + p.windowMs <= nowMs;

/** The record after one more failure at `nowMs` (what the store's upsert computes). */
export function afterFailure(
  r: FailureRecord | undefined,
  p: BackoffPolicy,
  nowMs: number,
): FailureRecord {
  const failures = r === undefined || isStale(r, p, nowMs) ? 1 : r.failures + 1;
  return { failures, lastFailureMs: nowMs };
}

/** Milliseconds the key must still wait at `nowMs` (0 when it may try). */
export const remainingLockoutMs = (r: FailureRecord, p: BackoffPolicy, nowMs: number): number =>
  Math.max(0, lockedUntilMs(r, p) - nowMs);

/**
 * Age past which no record can matter any more (lockout cap + window): the sweeper deletes rows
 * whose last failure is older.
 */
export const retentionMs = (p: BackoffPolicy): number => p.maxDelayMs + p.windowMs;
