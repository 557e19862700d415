/**
 * Login throttling: exponential backoff per account and per client IP (domain/login-backoff.ts),
 * counted in the users database so every replica sees the same counts.
 *
 * The account key is an HMAC of the normalized email, not the user id: an unknown email is
 * counted, locked and answered exactly like a registered one, so throttling reveals nothing
 * about which emails exist, and the table holds no email in clear. While a key is locked the
 * login is refused before any lookup or hashing: RESOURCE_EXHAUSTED LOGIN_THROTTLED with the
 * remaining delay (ErrorInfo metadata retryDelayMs, RetryInfo).
 *
 * The IP counter lives in the same table (not in memory) for the same reason as the account's:
 * in memory each replica would grant its own budget, so N replicas would multiply an attacker's
 * guesses by N, and a restart would forget them. Its cost is one indexed row read per login
 * (batched with the account's) and one upsert per failure.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorReason, errors } from '@meshcart/kit';
import { remainingLockoutMs, retentionMs, type BackoffPolicy } from '../domain/login-backoff';
import type { LoginThrottleStore } from '../store/login-throttle.store';

export interface LoginThrottleOptions {
  store: LoginThrottleStore;
  account: BackoffPolicy;
  ip: BackoffPolicy;
  /** HMAC key for the stored key hashes (the same on every replica). */
  keySecret: string;
  /** Clock (epoch ms); tests may pass their own. */
  now?: () => number;
}

export interface LoginThrottle {
  /** Throws RESOURCE_EXHAUSTED LOGIN_THROTTLED while the account or the client IP is locked. */
  assertAllowed(email: string, clientIp: string | undefined): Promise<void>;
  /** Counts a failed login against both keys. */
  failed(email: string, clientIp: string | undefined): Promise<void>;
  /** A correct password: the account starts over (the IP does not: logging into one's own
   * account must not buy more guesses at others). */
  succeeded(email: string): Promise<void>;
  /** Deletes records that can no longer matter; returns how many. */
  sweep(): Promise<number>;
}

export const throttled = (retryDelayMs: number) =>
  errors.resourceExhausted(ErrorReason.ERROR_REASON_LOGIN_THROTTLED, {
    message: 'too many failed logins, retry later',
    metadata: { retryDelayMs: String(retryDelayMs) },
  });

export function createLoginThrottle(opts: LoginThrottleOptions): LoginThrottle {
  const { store, account, ip } = opts;
  const now = opts.now ?? Date.now;
  const keyOf = (scope: 'account' | 'ip', value: string) =>
    createHmac('sha256', opts.keySecret).update(`${scope}\0${value}`).digest('hex');
  const keys = (email: string, clientIp: string | undefined) => ({
    account: keyOf('account', email),
    ip: clientIp === undefined ? undefined : keyOf('ip', clientIp),
  });
  // A record older than this can be neither locked nor counted again under either policy.
  const retention = Math.max(retentionMs(account), retentionMs(ip));

  return {
    async assertAllowed(email, clientIp) {
      const k = keys(email, clientIp);
      const found = await store.records(k.ip ? [k.account, k.ip] : [k.account]);
      const t = now();
      const a = found.get(k.account);
      const i = k.ip ? found.get(k.ip) : undefined;
      const waitMs = Math.max(
        a ? remainingLockoutMs(a, account, t) : 0,
        i ? remainingLockoutMs(i, ip, t) : 0,
      );
      if (waitMs > 0) throw throttled(Math.ceil(waitMs));
    },

    async failed(email, clientIp) {
      const k = keys(email, clientIp);
      const t = now();
      await Promise.all([
        store.recordFailure(k.account, account, t),
        k.ip ? store.recordFailure(k.ip, ip, t) : undefined,
      ]);
    },

    succeeded: (email) => store.reset(keyOf('account', email)),

    sweep: () => store.sweep(now() - retention),
  };
}

/** Sweeps expired records every `intervalMs` until the returned stop() (main.ts, at shutdown). */
export function startThrottleSweeper(
  throttle: LoginThrottle,
  intervalMs: number,
  logger: Logger,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    throttle
      .sweep()
      .then((n) => n > 0 && logger.debug({ deleted: n }, 'login throttle records swept'))
      .catch((e: unknown) => logger.warn({ err: e }, 'login throttle sweep failed'))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
