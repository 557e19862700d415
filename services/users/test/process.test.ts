/**
 * The real process: `npm start`-style spawn, health, one call, graceful SIGTERM; `main.ts
 * migrate`; its signing key checked at startup and rotated through files without a restart.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { decodeProtectedHeader } from 'jose';
import {
  checkHealth,
  createClient,
  createTestDatabase,
  createTokenSigner,
  generateSigningKey,
  issuerBinding,
  type TestDatabase,
} from '@meshcart/kit';
import { createTestAuth, freePort, REPO_ROOT, spawnTs } from '@meshcart/kit/testkit';
import { UserServiceService } from '@meshcart/proto/shop/users/v1/users';
import { migratedDatabase, uniqueEmail } from './harness';

const ENTRY = 'services/users/src/main.ts';
const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(REPO_ROOT, ENTRY), ...args],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    },
  ).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: e.stdout + e.stderr,
    }),
  );

// Spawning tsx processes is slow on a loaded 2-core machine.
jest.setTimeout(90_000);

let db: TestDatabase;
let served: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('users_proc');
  served = await migratedDatabase('users_serve');
});
afterAll(async () => {
  await db.drop();
  await served.drop();
});

test('`main.ts migrate` needs only DATABASE_URL, applies the migrations once, then finds nothing to do', async () => {
  const first = await run(['migrate'], { DATABASE_URL: db.url, LOG_LEVEL: 'info' });
  expect(first).toMatchObject({ code: 0 });
  expect(first.out).toContain('applying 20250101000000_init');
  const second = await run(['migrate'], { DATABASE_URL: db.url });
  expect(second.code).toBe(0);
  expect(second.out).not.toContain('applying');
});

test('missing configuration fails fast with exit 2 naming every variable, never echoing secrets', async () => {
  const res = await run([], {
    DATABASE_URL: 'mysql://u:hunter2@127.0.0.1:1/x',
    JWT_PRIVATE_KEY: 'nope-secret-value',
  });
  expect(res.code).toBe(2);
  expect(res.out).toContain('JWT_PUBLIC_KEYS');
  expect(res.out).toContain('JWT_PRIVATE_KEY');
  expect(res.out).not.toMatch(/hunter2|nope-secret-value/);
});

test('serves health and RPCs, then exits 0 on SIGTERM', async () => {
  const auth = await createTestAuth();
  const port = await freePort();
  const email = uniqueEmail('proc');
  const proc = await spawnTs({
    name: 'users',
    entry: ENTRY,
    timeoutMs: 60_000,
    port,
    env: { ...auth.env, DATABASE_URL: served.url, SESSION_TTL: '10m' },
  });
  try {
    expect(await checkHealth(proc.address, 'shop.users.v1.UserService')).toBe('SERVING');
    const client = createClient(UserServiceService, proc.address, { caller: 'edge' });
    const { user } = await client.registerUser({
      email,
      password: 'long enough',
      displayName: 'P',
    });
    const session = await client.createSession({ email, password: 'long enough' });
    expect(await auth.verifier.verify(session.accessToken)).toMatchObject({
      subject: user!.id,
      roles: ['customer'],
    });
    client.close();
  } finally {
    expect(await proc.kill('SIGTERM')).toBe(0);
  }
  expect(proc.output()).toContain('session created');
  expect(proc.output()).not.toContain('long enough');
  expect(proc.output()).not.toContain(email);
});

test('a key not bound to customer tokens, or a kid of another key, fails at startup with exit 2', async () => {
  const auth = await createTestAuth('bind');
  const orders = await run([], { ...auth.envFor('orders'), DATABASE_URL: served.url });
  expect(orders.code).toBe(2);
  expect(orders.out).toContain('may not sign role customer');
  const wrongKid = await run([], {
    ...auth.envFor('users'),
    JWT_KEY_ID: auth.keys.ops!.keyId,
    DATABASE_URL: served.url,
  });
  expect(wrongKid.code).toBe(2);
  expect(wrongKid.out).toContain('JWT_KEY_ID');
});

test('a key rotation written to the key files takes effect within 60 s, without a restart', async () => {
  const auth = await createTestAuth('rot');
  const dir = mkdtempSync(path.join(tmpdir(), 'users-keys-'));
  const files = { jwks: path.join(dir, 'jwks.json'), key: path.join(dir, 'users.pem') };
  // As the kubelet does: the new content appears whole (rename), never half written.
  const write = (file: string, text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  write(files.jwks, JSON.stringify(auth.jwks));
  write(files.key, auth.keys.users!.privateKeyPem);
  const port = await freePort();
  const email = uniqueEmail('rot');
  const proc = await spawnTs({
    name: 'users',
    entry: ENTRY,
    timeoutMs: 60_000,
    port,
    env: {
      JWT_ISSUER: auth.env.JWT_ISSUER!,
      JWT_AUDIENCE: auth.env.JWT_AUDIENCE!,
      JWT_PUBLIC_KEYS_FILE: files.jwks,
      JWT_PRIVATE_KEY_FILE: files.key,
      DATABASE_URL: served.url,
      LOG_LEVEL: 'info',
    },
  });
  const client = createClient(UserServiceService, proc.address, { caller: 'edge' });
  // GetUser with the customer's own token, as a storefront would (no workload identity).
  const asUser = createClient(UserServiceService, proc.address, { caller: null });
  try {
    const { user } = await client.registerUser({
      email,
      password: 'long enough',
      displayName: 'R',
    });
    const login = () => client.createSession({ email, password: 'long enough' });
    const getUser = (token: string) =>
      asUser.getUser({ userId: user!.id }, { metadata: auth.bearer(token) }).then(
        () => 'OK',
        (e: { code: number; reason?: string }) => `code ${e.code} ${e.reason}`,
      );
    const before = (await login()).accessToken;
    expect(decodeProtectedHeader(before).kid).toBe(auth.keys.users!.keyId);
    expect(await getUser(before)).toBe('OK');

    // The rotation: a new users key, bound to customer tokens; the old one leaves the JWKS.
    const next = await generateSigningKey('rot.users-2', issuerBinding.users());
    const oldKid = auth.keys.users!.keyId;
    write(
      files.jwks,
      JSON.stringify({
        keys: [...auth.jwks.keys.filter((k) => k.kid !== oldKid), ...next.jwks.keys],
      }),
    );
    write(files.key, next.privateKeyPem);
    const rotatedAt = Date.now();
    let after = '';
    while (Date.now() - rotatedAt < 60_000) {
      after = (await login()).accessToken;
      if (decodeProtectedHeader(after).kid === 'rot.users-2' && (await getUser(before)) !== 'OK')
        break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const tookMs = Date.now() - rotatedAt;
    console.log(
      `[rotation] users signs and verifies with the new key ${tookMs} ms after the write`,
    );
    expect(tookMs).toBeLessThan(60_000);
    expect(decodeProtectedHeader(after).kid).toBe('rot.users-2');
    expect(await getUser(after)).toBe('OK');
    expect(await getUser(before)).toBe(`code ${status.UNAUTHENTICATED} TOKEN_INVALID`);
    // A token from the same new key claiming a workload is still refused (the binding holds).
    const forged = await signWithPem(next.privateKeyPem, 'rot.users-2', user!.id);
    expect(await getUser(forged)).toBe(`code ${status.UNAUTHENTICATED} TOKEN_INVALID`);
  } finally {
    client.close();
    asUser.close();
    expect(await proc.kill('SIGTERM')).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }
  expect(proc.output()).toContain('keys reloaded');
  expect(proc.output()).toContain('signing with a new key');
});

/** A token from `pem` claiming role service (what a stolen users key would try). */
async function signWithPem(pem: string, kid: string, _userId: string): Promise<string> {
  const signer = await createTokenSigner({
    issuer: 'meshcart-test',
    audience: 'meshcart',
    privateKeyPem: pem,
    keyId: kid,
  });
  return (await signer.sign({ subject: 'service:orders', roles: ['service'], ttlSeconds: 60 }))
    .token;
}
