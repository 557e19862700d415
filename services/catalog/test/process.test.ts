/** The real process: spawn, health, calls, graceful SIGTERM; and `main.ts migrate`. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkHealth, createClient, createTestDatabase, type TestDatabase } from '@meshcart/kit';
import { createTestAuth, freePort, REPO_ROOT, spawnTs } from '@meshcart/kit/testkit';
import {
  CatalogAdminServiceService,
  CatalogServiceService,
} from '@meshcart/proto/shop/catalog/v1/catalog';
import { fields, migratedDatabase } from './harness';

const ENTRY = 'services/catalog/src/main.ts';
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

let fresh: TestDatabase;
let served: TestDatabase;
beforeAll(async () => {
  fresh = await createTestDatabase('catalog_proc');
  served = await migratedDatabase('catalog_serve');
});
afterAll(async () => {
  await fresh.drop();
  await served.drop();
});

test('`main.ts migrate` needs only DATABASE_URL, applies the migrations once, then finds nothing to do', async () => {
  const first = await run(['migrate'], { DATABASE_URL: fresh.url });
  expect(first.code).toBe(0);
  expect(first.out).toContain('applying 20250101000000_init');
  const second = await run(['migrate'], { DATABASE_URL: fresh.url });
  expect(second.code).toBe(0);
  expect(second.out).not.toContain('applying');
});

test('bad configuration fails fast with exit 2, never echoing the database password', async () => {
  const res = await run([], { DATABASE_URL: 'postgres://u:hunter2@h/x', GRPC_PORT: 'abc' });
  expect(res.code).toBe(2);
  for (const name of ['DATABASE_URL', 'GRPC_PORT', 'JWT_PUBLIC_KEYS'])
    expect(res.out).toContain(name);
  expect(res.out).not.toContain('hunter2');
});

test('serves health and RPCs, then exits 0 on SIGTERM', async () => {
  const auth = await createTestAuth();
  const proc = await spawnTs({
    name: 'catalog',
    entry: ENTRY,
    timeoutMs: 60_000,
    port: await freePort(),
    env: { ...auth.env, DATABASE_URL: served.url },
  });
  try {
    for (const svc of ['shop.catalog.v1.CatalogService', 'shop.catalog.v1.CatalogAdminService']) {
      expect(await checkHealth(proc.address, svc)).toBe('SERVING');
    }
    const admin = createClient(CatalogAdminServiceService, proc.address, { caller: 'ops' });
    const edge = createClient(CatalogServiceService, proc.address, { caller: 'edge' });
    await admin.createProduct(
      { sku: 'PROC-1', fields: fields() },
      { metadata: auth.bearer(await auth.adminToken()) },
    );
    expect(
      (await edge.listProducts({ pageSize: 0, pageToken: '', category: '' })).products.map(
        (p) => p.sku,
      ),
    ).toEqual(['PROC-1']);
    admin.close();
    edge.close();
  } finally {
    expect(await proc.kill('SIGTERM')).toBe(0);
  }
  expect(proc.output()).toContain('grpc server stopped');
});
