import { ConfigError } from '@meshcart/kit';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createVaultCipher,
  newVaultKeyBase64,
  parseVaultKeyBase64,
  UnknownVaultKeyError,
  vaultKeyFrom,
  vaultKeyOf,
} from './vault-cipher';

const cipher = createVaultCipher(vaultKeyOf(newVaultKeyBase64()));

test('seals with a fresh 12-byte IV every time and opens what it sealed', () => {
  const a = cipher.seal('tok_visa', 'pm_1\u0000u-1');
  const b = cipher.seal('tok_visa', 'pm_1\u0000u-1');
  expect(a.iv).toHaveLength(12);
  expect(a.authTag).toHaveLength(16);
  expect(a.iv.equals(b.iv)).toBe(false);
  expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  expect(a.ciphertext.toString('latin1')).not.toContain('tok_');
  expect(a.keyId).toMatch(/^vk-[0-9a-f]{12}$/);
  expect(cipher.open(a, 'pm_1\u0000u-1')).toBe('tok_visa');
});

test('a tampered ciphertext, or one moved to another row (other aad), does not open', () => {
  const s = cipher.seal('tok_visa', 'pm_1\u0000u-1');
  expect(() => cipher.open(s, 'pm_2\u0000u-1')).toThrow();
  const flipped = Buffer.from(s.ciphertext);
  flipped[0]! ^= 1;
  expect(() => cipher.open({ ...s, ciphertext: flipped }, 'pm_1\u0000u-1')).toThrow();
});

test('a ciphertext sealed with another key names that key', () => {
  const other = createVaultCipher(vaultKeyOf(newVaultKeyBase64()));
  const s = other.seal('tok_visa', 'aad');
  expect(() => cipher.open(s, 'aad')).toThrow(UnknownVaultKeyError);
});

test('the key: base64 of exactly 32 bytes, inline or from a file, not both', () => {
  expect(() => parseVaultKeyBase64(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  expect(() => parseVaultKeyBase64('not base64!')).toThrow(/base64/);
  const key = newVaultKeyBase64();
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'vault-key-')), 'vault-key');
  writeFileSync(file, `${key}\n`);
  expect(vaultKeyFrom({ paymentVaultKey: '', paymentVaultKeyFile: file })).toEqual(vaultKeyOf(key));
  expect(() => vaultKeyFrom({ paymentVaultKey: key, paymentVaultKeyFile: file })).toThrow(
    ConfigError,
  );
  expect(() =>
    vaultKeyFrom({ paymentVaultKey: '', paymentVaultKeyFile: `${file}-missing` }),
  ).toThrow(/PAYMENT_VAULT_KEY_FILE cannot be read/);
});
