/**
 * TLS to MySQL over real sockets (issue 14): a MariaDB of its own started by scripts/mariadb.sh
 * (which makes a CA and a server certificate for localhost/127.0.0.1 and serves TLS), and the
 * catalog's database user created with REQUIRE SSL, so a plaintext connection is refused by the
 * server and every success below went over TLS. The catalog opens its pool exactly as main.ts
 * does (config spec -> the chassis' applyDatabaseTls -> createDb, i.e. Prisma over the MariaDB
 * adapter with the kit's mariadbPoolConfig); its migration Job is `main.ts migrate`.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  applyDatabaseTls,
  checkConnection,
  checkHealth,
  loadConfig,
  provisionDatabase,
  serviceDatabaseUrl,
  withConnection,
  withDatabaseTls,
} from '@meshcart/kit';
import {
  createTestAuth,
  freePort,
  makeTestCa,
  REPO_ROOT,
  spawnTs,
  startTlsMariadb,
  type TestAuth,
  type TlsMariadb,
} from '@meshcart/kit/testkit';
import { catalogConfigSpec } from '../src/config';
import { createDb } from '../src/store/db';

const ENTRY = 'services/catalog/src/main.ts';
const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(REPO_ROOT, ENTRY), ...args],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
  ).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: e.stdout + e.stderr,
    }),
  );

jest.setTimeout(120_000);

let db: TlsMariadb;
let auth: TestAuth;
let databaseUrl: string; // what the DATABASE_URL Secret holds: no TLS in it
let otherCa: string;

beforeAll(async () => {
  db = await startTlsMariadb();
  auth = await createTestAuth();
  otherCa = makeTestCa(path.join(db.dir, 'other'), 'other-ca').certPath;
  const admin = withDatabaseTls(db.adminUrl, { databaseTlsCa: db.caPath });
  const svc = { database: 'shop_catalog', user: 'catalog_tls', password: 'catalog-tls-pw' };
  await provisionDatabase({ adminUrl: admin, ...svc });
  await withConnection(admin, async (c) => {
    for (const host of ['%', 'localhost'])
      await c.query(`ALTER USER catalog_tls@'${host}' REQUIRE SSL`);
  });
  databaseUrl = serviceDatabaseUrl(db.adminUrl, svc);
});
afterAll(async () => {
  await db?.stop();
});

/** config.databaseUrl as the chassis hands it to the catalog's start (DATABASE_TLS_* applied). */
const urlFor = (tlsEnv: Record<string, string>) =>
  applyDatabaseTls(
    loadConfig(catalogConfigSpec, { ...auth.env, DATABASE_URL: databaseUrl, ...tlsEnv }),
  ).databaseUrl;

/** A query on the catalog's Prisma client, opened as main.ts opens it from this environment. */
async function queryWith(tlsEnv: Record<string, string>) {
  const prisma = createDb(urlFor(tlsEnv), { connectionLimit: 1, acquireTimeoutMs: 2_000 });
  try {
    return await prisma.$queryRaw<Array<{ Variable_name: string; Value: string }>>`
      SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_cipher', 'Ssl_version')`;
  } finally {
    await prisma.$disconnect();
  }
}

test('`main.ts migrate` (the migration Job) applies the migrations over verified TLS', async () => {
  // The control: the user requires TLS, so without DATABASE_TLS_* the server refuses the job.
  const plain = await run(['migrate'], { DATABASE_URL: databaseUrl });
  expect(plain.code).not.toBe(0);
  expect(plain.out).toMatch(/Access denied for user 'catalog_tls'/);
  const tls = await run(['migrate'], {
    DATABASE_URL: databaseUrl,
    DATABASE_TLS_CA_FILE: db.caPath,
  });
  expect(tls.out).toContain('applying 20250101000000_init');
  expect(tls.code).toBe(0);
});

test('the service pool connects with verification and the session is encrypted', async () => {
  const status = Object.fromEntries(
    (await queryWith({ DATABASE_TLS_CA_FILE: db.caPath })).map((r) => [r.Variable_name, r.Value]),
  );
  console.log(`catalog pool over TLS: ${JSON.stringify(status)}`);
  expect(status.Ssl_cipher).toMatch(/\w/);
  expect(status.Ssl_version).toMatch(/^TLSv1\.[23]$/);
  // 127.0.0.1 is in the certificate; so is localhost, named explicitly.
  const named = await queryWith({
    DATABASE_TLS_CA_FILE: db.caPath,
    DATABASE_TLS_SERVER_NAME: 'localhost',
  });
  expect(named.find((r) => r.Variable_name === 'Ssl_cipher')?.Value).toMatch(/\w/);
});

// The pool refuses (Prisma's adapter reports only "pool timeout", its cause dropped); the
// chassis' check before start (checkConnection, what main.ts runs with TLS on) names the reason.
test('a server certificate the CA did not sign is refused', async () => {
  const env = { DATABASE_TLS_CA_FILE: otherCa };
  await expect(queryWith(env)).rejects.toThrow(/pool timeout/);
  await expect(checkConnection(urlFor(env))).rejects.toThrow(
    /self[- ]signed certificate|unable to (verify|get local issuer)/i,
  );
});

test('a server certificate for another name is refused', async () => {
  const env = { DATABASE_TLS_CA_FILE: db.caPath, DATABASE_TLS_SERVER_NAME: 'db.example.test' };
  await expect(queryWith(env)).rejects.toThrow(/pool timeout/);
  await expect(checkConnection(urlFor(env))).rejects.toThrow(
    /Hostname\/IP does not match certificate's altnames: Host: db\.example\.test/,
  );
});

test('the catalog process serves over a TLS database, and exits 1 with the reason on a wrong CA', async () => {
  const proc = await spawnTs({
    name: 'catalog',
    entry: ENTRY,
    timeoutMs: 90_000,
    port: await freePort(),
    env: { ...auth.env, DATABASE_URL: databaseUrl, DATABASE_TLS_CA_FILE: db.caPath },
  });
  try {
    expect(await checkHealth(proc.address, 'shop.catalog.v1.CatalogService')).toBe('SERVING');
  } finally {
    expect(await proc.kill('SIGTERM')).toBe(0);
  }
  const wrong = await run([], {
    ...auth.env,
    DATABASE_URL: databaseUrl,
    DATABASE_TLS_CA_FILE: otherCa,
  });
  expect(wrong.code).toBe(1);
  expect(wrong.out).toMatch(/self[- ]signed certificate|unable to (verify|get local issuer)/i);
  expect(wrong.out).not.toContain('catalog-tls-pw');
});

test('a bad TLS setting exits 2 with one line naming it', async () => {
  const res = await run(['migrate'], { DATABASE_URL: databaseUrl, DATABASE_TLS_MODE: 'prefer' });
  expect(res.code).toBe(2);
  expect(res.out.trim()).toBe(
    'invalid configuration:\n  - DATABASE_TLS_MODE must be one of disabled, verify-full (got "prefer")',
  );
});
