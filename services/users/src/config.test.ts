import { ConfigError, loadConfig } from '@meshcart/kit';
import { hashGateOptions, loginPolicies, usersConfigSpec, type UsersConfig } from './config';

/** The throttling and hashing part of the spec (the rest needs keys and a database URL). */
const {
  accountFreeFailures,
  accountBaseDelayMs,
  accountMaxDelayMs,
  accountWindowMs,
  ipFreeFailures,
  ipBaseDelayMs,
  ipMaxDelayMs,
  ipWindowMs,
  trustedClientIpPeers,
  hashConcurrency,
  hashQueue,
  hashMaxWaitMs,
  hashRetryDelayMs,
} = usersConfigSpec;
const spec = {
  accountFreeFailures,
  accountBaseDelayMs,
  accountMaxDelayMs,
  accountWindowMs,
  ipFreeFailures,
  ipBaseDelayMs,
  ipMaxDelayMs,
  ipWindowMs,
  trustedClientIpPeers,
  hashConcurrency,
  hashQueue,
  hashMaxWaitMs,
  hashRetryDelayMs,
};
const load = (env: Record<string, string>) => loadConfig(spec, env) as unknown as UsersConfig;

test('defaults: 5 account / 20 IP failures, 1 s doubling to 15 min, 4 hashes, 32 waiting, 1 s', () => {
  const c = load({});
  expect(loginPolicies(c)).toEqual({
    account: { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 900_000, windowMs: 900_000 },
    ip: { freeFailures: 20, baseDelayMs: 1_000, maxDelayMs: 900_000, windowMs: 900_000 },
  });
  expect(hashGateOptions(c)).toEqual({
    concurrency: 4,
    maxQueue: 32,
    maxWaitMs: 1_000,
    retryDelayMs: 1_000,
  });
  expect(c.trustedClientIpPeers).toEqual([]);
});

test('values are read and bad ones are named', () => {
  const c = load({
    LOGIN_ACCOUNT_FREE_FAILURES: '3',
    LOGIN_IP_BASE_DELAY: '250ms',
    LOGIN_IP_TRUSTED_PEERS: '127.0.0.1, ::1,10.0.0.0/8',
    PASSWORD_HASH_CONCURRENCY: '2',
  });
  expect([c.accountFreeFailures, c.ipBaseDelayMs, c.hashConcurrency]).toEqual([3, 250, 2]);
  expect(c.trustedClientIpPeers).toEqual(['127.0.0.1', '::1', '10.0.0.0/8']);
  let problems: string[] = [];
  try {
    load({
      LOGIN_ACCOUNT_FREE_FAILURES: '0',
      LOGIN_IP_MAX_DELAY: '2d',
      LOGIN_IP_TRUSTED_PEERS: '127.0.0.1,localhost',
      PASSWORD_HASH_CONCURRENCY: '0',
    });
  } catch (e) {
    problems = (e as ConfigError).problems;
  }
  expect(problems.map((p) => p.split(' ')[0])).toEqual([
    'LOGIN_ACCOUNT_FREE_FAILURES',
    'LOGIN_IP_MAX_DELAY',
    'LOGIN_IP_TRUSTED_PEERS',
    'PASSWORD_HASH_CONCURRENCY',
  ]);
});

test('a base delay above its cap is a configuration error', () => {
  const c = load({ LOGIN_ACCOUNT_BASE_DELAY: '20m' });
  expect(() => loginPolicies(c)).toThrow(ConfigError);
  expect(() => loginPolicies(c)).toThrow(/LOGIN_ACCOUNT_BASE_DELAY/);
});
