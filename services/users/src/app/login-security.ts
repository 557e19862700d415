/**
 * The login defences assembled from config (main.ts): the hash gate every password hash goes
 * through, the per-account / per-IP throttle with its sweeper, and the dummy hash that makes an
 * unknown email cost what a wrong password costs.
 */
import type { Logger } from 'pino';
import { hashGateOptions, loginPolicies, type UsersConfig } from '../config';
import { createHashGate } from '../domain/hash-gate';
import { primeDummyHash } from '../domain/password';
import { gatedPasswordHasher, type PasswordHasher } from '../domain/password-hasher';
import type { Db } from '../store/db';
import { createLoginThrottleStore } from '../store/login-throttle.store';
import { createLoginThrottle, startThrottleSweeper, type LoginThrottle } from './login-throttle';

export interface LoginSecurity {
  passwords: PasswordHasher;
  loginThrottle: LoginThrottle;
  trustedClientIpPeers: readonly string[];
}

/**
 * Throws ConfigError on inconsistent backoff settings (a base delay above its cap). The sweeper
 * is stopped by a shutdown step.
 */
export async function loginSecurity(
  config: UsersConfig,
  prisma: Db,
  host: { logger: Logger; onShutdown(name: string, run: () => void): void },
): Promise<LoginSecurity> {
  const loginThrottle = createLoginThrottle({
    store: createLoginThrottleStore(prisma),
    ...loginPolicies(config),
    keySecret: config.loginThrottleKey,
  });
  await primeDummyHash(); // so the first unknown-email login costs no more than later ones
  const stop = startThrottleSweeper(loginThrottle, config.loginThrottleSweepMs, host.logger);
  host.onShutdown('login throttle sweeper', stop);
  return {
    passwords: gatedPasswordHasher(createHashGate(hashGateOptions(config))),
    loginThrottle,
    trustedClientIpPeers: config.trustedClientIpPeers,
  };
}
