/**
 * Password hashing with scrypt (node:crypto). The parameters travel with each hash
 * (`scrypt$N$r$p$salt$key`, base64url) so they can be raised later without a migration.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 64;
// Bounds for parameters read back from storage: a corrupted row must not allocate gigabytes.
const MAX_N = 1 << 17;
const MAX_R = 16;
const MAX_P = 4;

function derive(
  password: string,
  salt: Buffer,
  n: number,
  r: number,
  p: number,
  keyLen: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFC'),
      salt,
      keyLen,
      { N: n, r, p, maxmem: 256 * n * r * p },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

/** Hashes a password with a fresh 16-byte salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, N, R, P, KEY_BYTES);
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const intIn = (x: number, min: number, max: number): boolean =>
  Number.isInteger(x) && x >= min && x <= max;

/** True when `password` matches `encoded`; constant-time comparison of the derived keys. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, nRaw, rRaw, pRaw, salt, key, ...extra] = encoded.split('$');
  const [n, r, p] = [Number(nRaw), Number(rRaw), Number(pRaw)];
  const valid =
    scheme === 'scrypt' &&
    salt &&
    key &&
    extra.length === 0 &&
    (n & (n - 1)) === 0 &&
    intIn(n, 2, MAX_N) &&
    intIn(r, 1, MAX_R) &&
    intIn(p, 1, MAX_P);
  if (!valid) throw new Error('stored password hash is malformed');
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), n, r, p, expected.length);
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/** Computes the dummy hash ahead of the first login with an unknown email (main.ts, at startup). */
export async function primeDummyHash(): Promise<void> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  await dummy;
}

/**
 * Spends the same scrypt time as a real check, for logins with an unknown email, so response
 * times do not reveal which emails are registered. Always resolves false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await primeDummyHash();
  await verifyPassword(password, await dummy!);
  return false;
}
