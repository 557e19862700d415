import { ConfigError } from '@meshcart/kit';
import { createTestAuth } from '@meshcart/kit/testkit';
import { mintToken, parseMintArgs } from './mint-token';

test('mints admin and service tokens the mesh verifiers accept', async () => {
  const auth = await createTestAuth('mint-key');
  const admin = await mintToken({ role: 'admin', subject: 'ops:seed', env: auth.env });
  expect(await auth.verifier.verify(admin.token)).toEqual({
    subject: 'ops:seed',
    roles: ['admin'],
    isService: false,
  });
  const { JWT_KEY_ID: _omitted, ...withoutKid } = auth.env;
  const svc = await mintToken({ role: 'service', ttlSeconds: 60, env: withoutKid });
  expect(await auth.verifier.verify(svc.token)).toMatchObject({
    subject: 'service:cli',
    roles: ['service'],
    isService: true,
  });
  expect(svc.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
});

test('the ops key mints admin tokens only; a service token needs that workload key', async () => {
  const auth = await createTestAuth('mint-ops');
  const ops = auth.envFor('ops');
  const admin = await mintToken({ role: 'admin', subject: 'ops:seed', env: ops });
  expect(await auth.verifier.verify(admin.token)).toMatchObject({ subject: 'ops:seed' });
  await expect(
    mintToken({ role: 'service', subject: 'service:orders', env: ops }),
  ).rejects.toBeInstanceOf(ConfigError);
  await expect(mintToken({ role: 'admin', env: auth.envFor('users') })).rejects.toBeInstanceOf(
    ConfigError,
  );
  const svc = await mintToken({
    role: 'service',
    subject: 'service:orders',
    env: auth.envFor('orders'),
  });
  expect(await auth.verifier.verify(svc.token)).toMatchObject({ subject: 'service:orders' });
});

test('fails as a config error without a usable private key', async () => {
  await expect(mintToken({ role: 'admin', env: {} })).rejects.toBeInstanceOf(ConfigError);
  await expect(
    mintToken({ role: 'admin', env: { JWT_PRIVATE_KEY: 'not a pem', JWT_KEY_ID: 'k' } }),
  ).rejects.toBeInstanceOf(ConfigError);
});

test('argument parsing', () => {
  expect(parseMintArgs(['admin'])).toEqual({ role: 'admin' });
  expect(parseMintArgs(['service', '--subject', 'service:x', '--ttl', '2m'])).toEqual({
    role: 'service',
    subject: 'service:x',
    ttlSeconds: 120,
  });
  for (const bad of [[], ['customer'], ['admin', '--ttl'], ['admin', '--nope', 'x']])
    expect(() => parseMintArgs(bad)).toThrow('usage');
});
