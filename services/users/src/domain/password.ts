/**
 * Password hashing with argon2id (node:crypto, Node 24+) at OWASP's recommended parameters:
 * m = 19 MiB, t = 2, p = 1 (about 45 ms here, 19 MiB per hash in flight, so the users pod's
 * memory limit holds many concurrent logins). The parameters travel with each hash
 * (`argon2id$m$t$p$salt$tag`, base64url) so they can be raised later without a migration.
 *
 * Hashes from before (`scrypt$N$r$p$salt$key`, N = 2^14, below current guidance) still verify;
 * a successful login rehashes them (needsRehash), so they fade out as users sign in.
 */
import { argon2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const M_KIB = 19_456;
const T = 2;
const P = 1;
const SALT_BYTES = 16;
const TAG_BYTES = 32;
// Bounds for parameters read back from storage: a corrupted row must not allocate gigabytes.
const MAX_SCRYPT_N = 1 << 17;
const MAX_SCRYPT_R = 16;
const MAX_SCRYPT_P = 4;
const MAX_M_KIB = 256 * 1024;
const MAX_T = 10;
const MAX_ARGON_P = 4;

function deriveArgon2(
  password: string,
  salt: Buffer,
  m: number,
  t: number,
  p: number,
  tagLength: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2(
      'argon2id',
      {
        message: password.normalize('NFC'),
        nonce: salt,
        memory: m,
        passes: t,
        parallelism: p,
        tagLength,
      },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

function deriveScrypt(
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

/** Hashes a password with a fresh 16-byte salt (argon2id, current parameters). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const tag = await deriveArgon2(password, salt, M_KIB, T, P, TAG_BYTES);
  return ['argon2id', M_KIB, T, P, salt.toString('base64url'), tag.toString('base64url')].join('$');
}

/** True when `encoded` was made with another scheme or weaker parameters than hashPassword's. */
export function needsRehash(encoded: string): boolean {
  const [scheme, m, t, p] = encoded.split('$');
  return scheme !== 'argon2id' || Number(m) < M_KIB || Number(t) < T || Number(p) !== P;
}

const intIn = (x: number, min: number, max: number): boolean =>
  Number.isInteger(x) && x >= min && x <= max;

/** True when `password` matches `encoded`; constant-time comparison of the derived keys. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, nRaw, rRaw, pRaw, salt, key, ...extra] = encoded.split('$');
  const [a, b, c] = [Number(nRaw), Number(rRaw), Number(pRaw)];
  const shaped = Boolean(salt && key && extra.length === 0);
  const expected = Buffer.from(key ?? '', 'base64url');
  const saltBytes = Buffer.from(salt ?? '', 'base64url');
  let actual: Buffer;
  if (
    scheme === 'argon2id' &&
    shaped &&
    intIn(a, 8 * c, MAX_M_KIB) &&
    intIn(b, 1, MAX_T) &&
    intIn(c, 1, MAX_ARGON_P) &&
    saltBytes.length >= 8 &&
    expected.length >= 4
  ) {
    actual = await deriveArgon2(password, saltBytes, a, b, c, expected.length);
  } else if (
    scheme === 'scrypt' &&
    shaped &&
    (a & (a - 1)) === 0 &&
    intIn(a, 2, MAX_SCRYPT_N) &&
    intIn(b, 1, MAX_SCRYPT_R) &&
    intIn(c, 1, MAX_SCRYPT_P)
  ) {
    actual = await deriveScrypt(password, saltBytes, a, b, c, expected.length);
  } else {
    throw new Error('stored password hash is malformed');
  }
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
