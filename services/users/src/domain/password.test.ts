import { hashPassword, verifyAgainstDummy, verifyPassword } from './password';

test('hash and verify round-trip; salts differ; the format carries the parameters', async () => {
  const a = await hashPassword('correct horse');
  const b = await hashPassword('correct horse');
  expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
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
  ]) {
    await expect(verifyPassword('x', bad)).rejects.toThrow('malformed');
  }
});

test('the dummy check for unknown emails always fails', async () => {
  await expect(verifyAgainstDummy('anything')).resolves.toBe(false);
});
