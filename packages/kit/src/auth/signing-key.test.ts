import { ConfigError } from '../config/load-config';
import { generateSigningKey } from './jwt';
import { resolveKeyId } from './signing-key';

test('the kid comes from JWT_KEY_ID, or from the JWKS entry holding the same public key', async () => {
  const mine = await generateSigningKey('k-mine');
  const other = await generateSigningKey('k-other');
  const jwks = { keys: [...other.jwks.keys, ...mine.jwks.keys] };
  expect(resolveKeyId(mine.privateKeyPem, jwks, '')).toBe('k-mine');
  expect(resolveKeyId(mine.privateKeyPem, jwks, 'k-mine')).toBe('k-mine');
  expect(resolveKeyId(mine.privateKeyPem, undefined, 'anything')).toBe('anything');
});

test('a kid verifiers would not accept for this key fails as a config error', async () => {
  const mine = await generateSigningKey('k-mine');
  const other = await generateSigningKey('k-other');
  const jwks = other.jwks;
  expect(() => resolveKeyId(mine.privateKeyPem, jwks, '')).toThrow(ConfigError);
  expect(() => resolveKeyId(mine.privateKeyPem, jwks, 'k-other')).toThrow(ConfigError);
  expect(() => resolveKeyId(mine.privateKeyPem, undefined, '')).toThrow(ConfigError);
});
