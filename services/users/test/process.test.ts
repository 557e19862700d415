/** The real process: `npm start`-style spawn, health, one call, graceful SIGTERM; and `main.ts migrate`. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkHealth, createClient, createTestDatabase, type TestDatabase } from '@meshcart/kit';
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
