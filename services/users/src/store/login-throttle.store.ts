/**
 * Failed-login counters in the users database, shared by every replica (login_throttles).
 *
 * A failure is one atomic upsert: the row's count restarts or grows in the same statement that
 * reads it, so concurrent failures on any replica never lose an increment (no read-modify-write).
 * Its assignments reference only columns not yet assigned (failures before last_failure_ms), so
 * the result is the same whether the server evaluates them left to right (MySQL/MariaDB default)
 * or simultaneously (MariaDB's SIMULTANEOUS_ASSIGNMENT mode). The arithmetic mirrors
 * domain/login-backoff.ts, which the tests pin it to.
 */
import { MAX_DOUBLINGS, type BackoffPolicy, type FailureRecord } from '../domain/login-backoff';
import type { Db } from './db';

/** Rows one sweep statement deletes at most. */
export const SWEEP_BATCH = 1_000;

export interface LoginThrottleStore {
  /** The records of the given keys that exist (missing keys have no failures). */
  records(keys: string[]): Promise<Map<string, FailureRecord>>;
  /** Counts one failure of `key` at `nowMs` under `policy`. */
  recordFailure(key: string, policy: BackoffPolicy, nowMs: number): Promise<void>;
  /** Forgets a key (a successful login of the account). */
  reset(key: string): Promise<void>;
  /** Deletes up to `limit` records whose last failure is before `cutoffMs`; returns how many. */
  sweep(cutoffMs: number, limit?: number): Promise<number>;
}

export function createLoginThrottleStore(prisma: Db): LoginThrottleStore {
  return {
    async records(keys) {
      const rows = await prisma.loginThrottle.findMany({ where: { keyHash: { in: keys } } });
      return new Map(
        rows.map((r) => [
          r.keyHash,
          { failures: r.failures, lastFailureMs: Number(r.lastFailureMs) },
        ]),
      );
    },

    async recordFailure(key, p, nowMs) {
      const now = BigInt(Math.floor(nowMs));
      // stale <=> last + lockout(failures) + window <= now (login-backoff.ts isStale)
      await prisma.$executeRaw`
        INSERT INTO login_throttles (key_hash, failures, last_failure_ms) VALUES (${key}, 1, ${now})
        ON DUPLICATE KEY UPDATE
          failures = IF(
            last_failure_ms + ${p.windowMs}
              + IF(failures < ${p.freeFailures}, 0,
                   LEAST(${p.baseDelayMs} * POW(2, LEAST(failures - ${p.freeFailures}, ${MAX_DOUBLINGS})),
                         ${p.maxDelayMs}))
              <= ${now},
            1,
            failures + 1),
          last_failure_ms = GREATEST(last_failure_ms, ${now})`;
    },

    async reset(key) {
      await prisma.loginThrottle.deleteMany({ where: { keyHash: key } });
    },

    async sweep(cutoffMs, limit = SWEEP_BATCH) {
      const cutoff = BigInt(Math.floor(cutoffMs));
      // Bounded batches keep each delete's locks short; the throttle repeats while batches are full.
      return prisma.$executeRaw`
        DELETE FROM login_throttles WHERE last_failure_ms < ${cutoff} LIMIT ${limit}`;
    },
  };
}
