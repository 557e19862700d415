import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { ConfigError } from '../config/load-config';
import { createTokenVerifier, generateSigningKey } from './jwt';
import { issuerBinding } from './key-bindings';
import { openPublicKeys, openSigner } from './workload-keys';

const settings = { issuer: 'meshcart', audience: 'meshcart' };
const POLL_MS = 50;
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'keys-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const orders = (kid: string) => generateSigningKey(kid, issuerBinding.workload('orders'));
const join = (...sets: JSONWebKeySet[]): JSONWebKeySet => ({ keys: sets.flatMap((s) => s.keys) });
const logs: string[] = [];
const log = {
  info: (_: object, m: string) => logs.push(m),
  warn: (_: object, m: string) => logs.push(m),
};

/** Polls `check` until it holds (the reload happens on the next poll, within POLL_MS). */
async function eventually(check: () => Promise<boolean>, withinMs = 2_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`not true within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

test('a rotation written to the key files takes effect on the next poll, without a restart', async () => {
  const [k1, k2] = [await orders('orders-1'), await orders('orders-2')];
  const jwksFile = path.join(dir, 'jwks.json');
  const keyFile = path.join(dir, 'private-key.pem');
  writeFileSync(jwksFile, JSON.stringify(k1.jwks));
  writeFileSync(keyFile, k1.privateKeyPem);
  const config = {
    jwtPublicKeysFile: jwksFile,
    jwtPrivateKeyFile: keyFile,
    jwtPrivateKey: '',
    jwtKeyId: '',
    jwtKeysPollMs: POLL_MS,
  };
  const jwks = openPublicKeys(config, log)!;
  const verifier = createTokenVerifier({ ...settings, jwks: () => jwks.current() });
  const signer = openSigner({
    settings,
    config,
    jwks,
    purpose: { roles: ['service'], subject: 'service:orders' },
    log,
  });
  const mint = async () =>
    (await signer.sign({ subject: 'service:orders', roles: ['service'], ttlSeconds: 60 })).token;
  const old = await mint();
  await expect(verifier.verify(old)).resolves.toMatchObject({ subject: 'service:orders' });
  expect(signer.keyId).toBe('orders-1');

  // The rotation: the new public key joins the JWKS and the old one leaves; the new private key.
  writeFileSync(jwksFile, JSON.stringify(k2.jwks));
  writeFileSync(keyFile, k2.privateKeyPem);
  await eventually(async () => signer.keyId === 'orders-2');
  const fresh = await mint();
  await expect(verifier.verify(fresh)).resolves.toMatchObject({ subject: 'service:orders' });
  await expect(verifier.verify(old)).rejects.toMatchObject({ code: 16, reason: 'TOKEN_INVALID' });
  jwks.close();
});

test('a bad file keeps the last good keys; a private key written before its public half waits for it', async () => {
  const [k1, k2] = [await orders('orders-1'), await orders('orders-2')];
  const jwksFile = path.join(dir, 'jwks.json');
  const keyFile = path.join(dir, 'private-key.pem');
  writeFileSync(jwksFile, JSON.stringify(k1.jwks));
  writeFileSync(keyFile, k1.privateKeyPem);
  const config = {
    jwtPublicKeysFile: jwksFile,
    jwtPrivateKeyFile: keyFile,
    jwtPrivateKey: '',
    jwtKeyId: '',
    jwtKeysPollMs: POLL_MS,
  };
  const jwks = openPublicKeys(config, log)!;
  const verifier = createTokenVerifier({ ...settings, jwks: () => jwks.current() });
  const signer = openSigner({
    settings,
    config,
    jwks,
    purpose: { roles: ['service'], subject: 'service:orders' },
    log,
  });
  const signed = async () =>
    verifier.verify(
      (await signer.sign({ subject: 'service:orders', roles: ['service'], ttlSeconds: 60 })).token,
    );

  writeFileSync(jwksFile, '{"keys": [ half written');
  writeFileSync(keyFile, k2.privateKeyPem); // not in the JWKS yet: verifiers would refuse it
  await new Promise((r) => setTimeout(r, POLL_MS * 4));
  expect(jwks.current()).toEqual(k1.jwks);
  expect(signer.keyId).toBe('orders-1');
  await expect(signed()).resolves.toMatchObject({ subject: 'service:orders' });

  writeFileSync(jwksFile, JSON.stringify(join(k1.jwks, k2.jwks)));
  await eventually(async () => signer.keyId === 'orders-2');
  await expect(signed()).resolves.toMatchObject({ subject: 'service:orders' });
  jwks.close();
});

test('startup fails fast when the key is not in the JWKS, or not bound to what the process signs', async () => {
  const k1 = await orders('orders-1');
  const users = await generateSigningKey('users-1', issuerBinding.users());
  const all = join(k1.jwks, users.jwks);
  const open = (pem: string, kid: string, subject: string) =>
    openSigner({
      settings,
      config: { jwtPrivateKey: pem, jwtPrivateKeyFile: '', jwtKeyId: kid },
      jwks: openPublicKeys({ jwtPublicKeys: all, jwtPublicKeysFile: '' }),
      purpose: { roles: ['service'], subject },
    });
  expect(open(k1.privateKeyPem, '', 'service:orders').keyId).toBe('orders-1');
  expect(() => open(k1.privateKeyPem, 'users-1', 'service:orders')).toThrow(ConfigError);
  expect(() => open(k1.privateKeyPem, '', 'service:saga-worker')).toThrow(ConfigError);
  expect(() => open(users.privateKeyPem, '', 'service:users')).toThrow(ConfigError);
  const stranger = await generateSigningKey('x');
  expect(() => open(stranger.privateKeyPem, '', 'service:orders')).toThrow(ConfigError);
  const jwksFile = path.join(dir, 'missing.json');
  expect(() => openPublicKeys({ jwtPublicKeysFile: jwksFile })).toThrow(ConfigError);
});
