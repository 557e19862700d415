import { randomBytes, scryptSync } from 'node:crypto';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './password';

test('hash and verify round-trip; salts differ; the format carries the parameters', async () => {
  const a = await hashPassword('correct horse');
  const b = await hashPassword('correct horse');
  expect(a).toMatch(/^argon2id\$19456\$2\$1\$[\w-]{22}\$[\w-]{43}$/);
  expect(needsRehash(a)).toBe(false);
  expect(a).not.toBe(b);
  await expect(verifyPassword('correct horse', a)).resolves.toBe(true);
  await expect(verifyPassword('correct horsE', a)).resolves.toBe(false);
  await expect(verifyPassword('', a)).resolves.toBe(false);
});

test('unicode passwords are compared after NFC normalization', async () => {
  const h = await hashPassword('caf\u00e9 au lait');
  await expect(verifyPassword('cafe\u0301 au lait', h)).resolves.toBe(true);
});

test('a malformed or hostile stored hash is refused instead of run', async () => {
  for (const bad of [
    '',
    'bcrypt$x',
    'scrypt$16384$8$1$salt',
    'scrypt$1048576$8$1$c2FsdA$a2V5',
    'scrypt$1000$8$1$c2FsdA$a2V5',
    'argon2id$1048576$2$1$c2FsdGFsdA$a2V5a2V5',
    'argon2id$19456$0$1$c2FsdGFsdA$a2V5a2V5',
    'argon2id$19456$2$1$c2FsdGFsdA',
  ]) {
    await expect(verifyPassword('x', bad)).rejects.toThrow('malformed');
  }
});

test('the dummy check for unknown emails always fails', async () => {
  await expect(verifyAgainstDummy('anything')).resolves.toBe(false);
});

test('hashes from before (scrypt, N = 2^14) still verify and are flagged for a rehash', async () => {
  const salt = randomBytes(16);
  const key = scryptSync('correct horse', salt, 64, { N: 16384, r: 8, p: 1 });
  const legacy = `scrypt$16384$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
  await expect(verifyPassword('correct horse', legacy)).resolves.toBe(true);
  await expect(verifyPassword('correct horsE', legacy)).resolves.toBe(false);
  expect(needsRehash(legacy)).toBe(true);
  expect(needsRehash('argon2id$4096$2$1$x$y')).toBe(true);
});
