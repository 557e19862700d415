/** Configuration of the users service: the only place that reads its environment. */
import { createPrivateKey } from 'node:crypto';
import { parse, serviceConfigSpec, v, type ConfigOf, type Parser } from '@meshcart/kit';

/** PKCS8 PEM of an Ed25519 key; literal "\n" sequences (one-line env files) are accepted. */
export const ed25519PrivateKey = (): Parser<string> => (raw) => {
  const pem = raw.includes('\\n') ? raw.replace(/\\n/g, '\n') : raw;
  if (!pem.includes('-----BEGIN PRIVATE KEY-----'))
    throw new Error('must be a PKCS8 PEM private key');
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    throw new Error('must be a PKCS8 PEM private key');
  }
  if (type !== 'ed25519') throw new Error('must be an Ed25519 key (tokens are EdDSA)');
  return pem;
};

const durationBetween =
  (minMs: number, maxMs: number): Parser<number> =>
  (raw) => {
    const ms = parse.duration()(raw);
    if (ms < minMs || ms > maxMs)
      throw new Error(`must be between ${minMs / 1000}s and ${maxMs / 3_600_000}h`);
    return ms;
  };

/** JWT_KEY_ID: empty means "the kid of the JWT_PUBLIC_KEYS entry matching JWT_PRIVATE_KEY". */
export const keyIdSpec = v('JWT_KEY_ID', parse.string({ max: 64, pattern: /^[A-Za-z0-9._-]+$/ }), {
  default: '',
});
export const privateKeySpec = v('JWT_PRIVATE_KEY', ed25519PrivateKey(), { secret: true });
const databaseUrl = v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true });

export const usersConfigSpec = {
  ...serviceConfigSpec('users'),
  databaseUrl,
  jwtPrivateKey: privateKeySpec,
  jwtKeyId: keyIdSpec,
  /** Lifetime of customer access tokens (CreateSession). */
  sessionTtlMs: v('SESSION_TTL', durationBetween(60_000, 24 * 3_600_000), { default: 3_600_000 }),
};
export type UsersConfig = ConfigOf<typeof usersConfigSpec>;
