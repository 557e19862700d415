/** Configuration of the users service: the only place that reads its environment. */
import {
  ConfigError,
  parse,
  serviceConfigSpec,
  signingKeySpec,
  v,
  type ConfigOf,
  type Parser,
} from '@meshcart/kit';
import { isPeerEntry } from './app/client-ip';
import type { BackoffPolicy } from './domain/login-backoff';
import type { HashGateOptions } from './domain/hash-gate';

const durationBetween =
  (minMs: number, maxMs: number): Parser<number> =>
  (raw) => {
    const ms = parse.duration()(raw);
    if (ms < minMs || ms > maxMs)
      throw new Error(`must be between ${fmt(minMs)} and ${fmt(maxMs)}`);
    return ms;
  };
const fmt = (ms: number) =>
  ms >= 3_600_000 ? `${ms / 3_600_000}h` : ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;

/** Comma-separated IPs and CIDR subnets, e.g. `127.0.0.1,::1` or `10.0.0.0/8`. */
const peerEntries: Parser<string[]> = (raw) => {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !isPeerEntry(e));
  if (bad.length > 0) throw new Error(`must list IPs or CIDR subnets (bad: ${bad.join(', ')})`);
  return entries;
};

const databaseUrl = v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true });

/** One throttling key kind's backoff: `<PREFIX>_FREE_FAILURES`, `_BASE_DELAY`, `_MAX_DELAY`, `_WINDOW`. */
const backoff = (prefix: string, freeFailures: number) => ({
  free: v(`${prefix}_FREE_FAILURES`, parse.int({ min: 1, max: 1000 }), { default: freeFailures }),
  base: v(`${prefix}_BASE_DELAY`, durationBetween(10, 3_600_000), { default: 1_000 }),
  max: v(`${prefix}_MAX_DELAY`, durationBetween(1_000, 24 * 3_600_000), { default: 15 * 60_000 }),
  window: v(`${prefix}_WINDOW`, durationBetween(1_000, 24 * 3_600_000), { default: 15 * 60_000 }),
});
const account = backoff('LOGIN_ACCOUNT', 5);
const ip = backoff('LOGIN_IP', 20);

export const usersConfigSpec = {
  ...serviceConfigSpec('users'),
  databaseUrl,
  /** users' own key: bound to customer tokens only (key-bindings.ts); JWT_PRIVATE_KEY or _FILE. */
  ...signingKeySpec(),
  /** Lifetime of customer access tokens (CreateSession). */
  sessionTtlMs: v('SESSION_TTL', durationBetween(60_000, 24 * 3_600_000), { default: 3_600_000 }),

  // Login throttling (app/login-throttle.ts): per account (normalized email) after 5 failures,
  // per client IP after 20; each further failure doubles the lockout from 1 s up to 15 min.
  accountFreeFailures: account.free,
  accountBaseDelayMs: account.base,
  accountMaxDelayMs: account.max,
  accountWindowMs: account.window,
  ipFreeFailures: ip.free,
  ipBaseDelayMs: ip.base,
  ipMaxDelayMs: ip.max,
  ipWindowMs: ip.window,
  /**
   * HMAC key of the stored throttle keys, the same on every replica. The users table already
   * holds the registered emails, so it only hides the unknown emails and the IPs tried from a
   * reader of the database; production sets it from a Secret.
   */
  loginThrottleKey: v('LOGIN_THROTTLE_KEY', parse.string({ min: 16 }), {
    default: 'meshcart-login-throttle-v1',
    secret: true,
  }),
  /**
   * Peers whose x-client-ip is believed besides the edge's identity (service token `service:edge`
   * or, with MESH_PEER_IDENTITY=xfcc, its mesh identity): for the local stack and clusters
   * without the mesh, where the edge has neither. Empty by default: the peer address is the key.
   */
  trustedClientIpPeers: v('LOGIN_IP_TRUSTED_PEERS', peerEntries, { default: [] as string[] }),
  loginThrottleSweepMs: v('LOGIN_THROTTLE_SWEEP_INTERVAL', durationBetween(1_000, 3_600_000), {
    default: 60_000,
  }),

  // Password hashing bound (domain/hash-gate.ts). Default concurrency 4: argon2id holds
  // m = 19 MiB per hash, so 4 in flight are 76 MiB, which fits the chart's 384 MiB pod limit next
  // to the ~150 MiB the process needs otherwise; and libuv has 4 pool threads by default
  // (UV_THREADPOOL_SIZE), so more at once would only queue inside libuv, in front of DNS and fs
  // work. Raise it with the pod's memory limit (19 MiB per slot) and UV_THREADPOOL_SIZE.
  hashConcurrency: v('PASSWORD_HASH_CONCURRENCY', parse.int({ min: 1, max: 64 }), { default: 4 }),
  hashQueue: v('PASSWORD_HASH_QUEUE', parse.int({ min: 0, max: 10_000 }), { default: 32 }),
  hashMaxWaitMs: v('PASSWORD_HASH_MAX_WAIT', durationBetween(0, 60_000), { default: 1_000 }),
  hashRetryDelayMs: v('PASSWORD_HASH_RETRY_DELAY', durationBetween(100, 60_000), {
    default: 1_000,
  }),
};
export type UsersConfig = ConfigOf<typeof usersConfigSpec>;

/**
 * The two backoff policies; throws ConfigError (the chassis exits 2) when a base delay exceeds
 * its cap, which loadConfig's per-variable parsers cannot see.
 */
export function loginPolicies(c: UsersConfig): { account: BackoffPolicy; ip: BackoffPolicy } {
  const problems: string[] = [];
  const policy = (prefix: string, free: number, base: number, max: number, window: number) => {
    if (base > max)
      problems.push(
        `${prefix}_BASE_DELAY (${fmt(base)}) exceeds ${prefix}_MAX_DELAY (${fmt(max)})`,
      );
    return { freeFailures: free, baseDelayMs: base, maxDelayMs: max, windowMs: window };
  };
  const policies = {
    account: policy(
      'LOGIN_ACCOUNT',
      c.accountFreeFailures,
      c.accountBaseDelayMs,
      c.accountMaxDelayMs,
      c.accountWindowMs,
    ),
    ip: policy('LOGIN_IP', c.ipFreeFailures, c.ipBaseDelayMs, c.ipMaxDelayMs, c.ipWindowMs),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return policies;
}

export const hashGateOptions = (c: UsersConfig): HashGateOptions => ({
  concurrency: c.hashConcurrency,
  maxQueue: c.hashQueue,
  maxWaitMs: c.hashMaxWaitMs,
  retryDelayMs: c.hashRetryDelayMs,
});

/** Login throttling and the hashing gate in force, for the chassis' `limits in force` start line. */
export const limitsOf = (c: UsersConfig): Record<string, unknown> => ({
  login_account: `${c.accountFreeFailures} free, ${c.accountBaseDelayMs}ms doubling to ${c.accountMaxDelayMs}ms`,
  login_ip: `${c.ipFreeFailures} free, ${c.ipBaseDelayMs}ms doubling to ${c.ipMaxDelayMs}ms`,
  login_ip_trusted_peers: c.trustedClientIpPeers.join(',') || 'none',
  password_hash_concurrency: c.hashConcurrency,
  password_hash_queue: c.hashQueue,
});
