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
import { SWEEP_BATCH, type LoginThrottleStore } from '../store/login-throttle.store';

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
  /**
   * One login attempt for `email` from `clientIp`: throws RESOURCE_EXHAUSTED LOGIN_THROTTLED
   * without calling `login` while the account or the IP is locked; otherwise runs `login` (the
   * lookup and the hash: what it logged in, or undefined) and counts an undefined against both
   * keys, or resets the account on success (not the IP: logging into one's own account must not
   * buy guesses at others). Returns what `login` returned.
   *
   * Attempts on one account run one after the other in this process: a burst of parallel
   * guesses cannot all pass the check before the first failure is counted; each waits for the
   * one before it and then finds the account locked. (Across replicas the window is at most one
   * attempt per replica.) An attempt whose call ended (`signal`: deadline, cancel) while it
   * waited is dropped unrun.
   */
  attempt<T>(
    email: string,
    clientIp: string | undefined,
    login: () => Promise<T | undefined>,
    signal?: AbortSignal,
  ): Promise<T | undefined>;
  /** Deletes records that can no longer matter; returns how many. */
  sweep(): Promise<number>;
}

export const throttled = (retryDelayMs: number) =>
  errors.resourceExhausted(ErrorReason.ERROR_REASON_LOGIN_THROTTLED, {
    message: 'too many failed logins, retry later',
    metadata: { retryDelayMs: String(retryDelayMs) },
    retryDelayMs, // google.rpc.RetryInfo (the edge's Retry-After)
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

  /** Throws LOGIN_THROTTLED while either key is locked. */
  async function assertAllowed(k: { account: string; ip?: string }) {
    const found = await store.records(k.ip ? [k.account, k.ip] : [k.account]);
    const t = now();
    const a = found.get(k.account);
    const i = k.ip ? found.get(k.ip) : undefined;
    const waitMs = Math.max(
      a ? remainingLockoutMs(a, account, t) : 0,
      i ? remainingLockoutMs(i, ip, t) : 0,
    );
    if (waitMs > 0) throw throttled(Math.ceil(waitMs));
  }

  const oneAtATime = serializer();

  return {
    attempt: (email, clientIp, login, signal) => {
      const k = keys(email, clientIp);
      return oneAtATime(k.account, async () => {
        signal?.throwIfAborted();
        await assertAllowed(k);
        const result = await login();
        if (result !== undefined) await store.reset(k.account);
        else {
          const t = now();
          await Promise.all([
            store.recordFailure(k.account, account, t),
            k.ip ? store.recordFailure(k.ip, ip, t) : undefined,
          ]);
        }
        return result;
      });
    },

    async sweep() {
      const cutoff = now() - retention;
      let total = 0;
      for (;;) {
        const n = await store.sweep(cutoff, SWEEP_BATCH);
        total += n;
        if (n < SWEEP_BATCH) return total;
      }
    },
  };
}

/**
 * Runs the tasks of one key one after the other (others in parallel). The map holds a key only
 * while one of its tasks is pending, so it stays as small as the calls in flight.
 */
function serializer() {
  const tails = new Map<string, Promise<void>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

/** Sweeps expired records every `intervalMs` until the returned stop() (a shutdown step). */
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
