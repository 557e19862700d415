/**
 * The card-token vault's cipher: AES-256-GCM (node:crypto) with a random 12-byte IV per seal,
 * the associated data binding a ciphertext to its payment method and customer (a row copied
 * onto another id does not open), and the key id stored with every ciphertext.
 *
 * The key is PAYMENT_VAULT_KEY (base64 of 32 bytes) or PAYMENT_VAULT_KEY_FILE (a file holding
 * that base64, a mounted Secret). Its id is derived from the key (`vk-` + 12 hex of its
 * sha256), so a new key brings a new id without configuring one.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@meshcart/kit';

export interface VaultKey {
  keyId: string;
  key: Buffer;
}

/** What is stored: never the plaintext. */
export interface Sealed {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

/** Thrown by open() for a ciphertext sealed with a key this process does not hold. */
export class UnknownVaultKeyError extends Error {
  constructor(readonly keyId: string) {
    super(`sealed with vault key ${keyId}, which this process does not hold`);
    this.name = 'UnknownVaultKeyError';
  }
}

const KEY_BYTES = 32;
const IV_BYTES = 12;

/** A config parser: base64 of exactly 32 bytes (kept as the string; decoded by vaultKeyFrom). */
export function parseVaultKeyBase64(raw: string): string {
  decodeKey(raw);
  return raw.trim();
}

function decodeKey(raw: string): Buffer {
  const text = raw.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error('must be base64 (of 32 bytes)');
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES)
    throw new Error(`must be base64 of ${KEY_BYTES} bytes (got ${key.length} bytes)`);
  return key;
}

/** The key with its derived id. */
export function vaultKeyOf(base64: string): VaultKey {
  const key = decodeKey(base64);
  return { key, keyId: `vk-${createHash('sha256').update(key).digest('hex').slice(0, 12)}` };
}

/** The key from PAYMENT_VAULT_KEY or PAYMENT_VAULT_KEY_FILE (exactly one; read once at start). */
export function vaultKeyFrom(config: {
  paymentVaultKey: string;
  paymentVaultKeyFile: string;
}): VaultKey {
  if (config.paymentVaultKey && config.paymentVaultKeyFile)
    throw new ConfigError(['set PAYMENT_VAULT_KEY or PAYMENT_VAULT_KEY_FILE, not both']);
  if (config.paymentVaultKey) return vaultKeyOf(config.paymentVaultKey);
  let text: string;
  try {
    text = readFileSync(config.paymentVaultKeyFile, 'utf8');
  } catch (e) {
    throw new ConfigError([`PAYMENT_VAULT_KEY_FILE cannot be read: ${(e as Error).message}`]);
  }
  try {
    return vaultKeyOf(text);
  } catch (e) {
    throw new ConfigError([`PAYMENT_VAULT_KEY_FILE ${(e as Error).message}`]);
  }
}

/** A fresh random key as base64 (dev stacks, tests). */
export const newVaultKeyBase64 = (): string => randomBytes(KEY_BYTES).toString('base64');

export type VaultCipher = ReturnType<typeof createVaultCipher>;

export function createVaultCipher(current: VaultKey) {
  return {
    keyId: current.keyId,
    seal(plaintext: string, aad: string): Sealed {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return { keyId: current.keyId, iv, ciphertext, authTag: cipher.getAuthTag() };
    },
    /** The plaintext; throws UnknownVaultKeyError, or an Error when the data or aad do not verify. */
    open(sealed: Sealed, aad: string): string {
      if (sealed.keyId !== current.keyId) throw new UnknownVaultKeyError(sealed.keyId);
      const decipher = createDecipheriv('aes-256-gcm', current.key, sealed.iv);
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(sealed.authTag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
    },
  };
}
