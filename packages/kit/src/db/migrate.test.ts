/** Integration: runs against the project MariaDB, each test in its own database and its own copy of the fixtures. */
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withConnection } from './connection';
import { migrate } from './migrate';
import { createTestDatabase, type TestDatabase } from './test-database';

const FIXTURES = join(__dirname, '__fixtures__', 'migrations');
const NAMES = ['20240101000000_init', '20240102000000_add_sku', '20240103000000_seed'];

const created: TestDatabase[] = [];
const dirs: string[] = [];
const fresh = async (): Promise<TestDatabase> => {
  const db = await createTestDatabase('migrate');
  created.push(db);
  return db;
};
/** A private copy of the fixture migrations that a test may edit. */
const copyFixtures = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'meshcart-migrations-'));
  dirs.push(dir);
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
};
afterAll(async () => {
  await Promise.all(created.map((db) => db.drop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Row {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  logs: string | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}
const rowsOf = (db: TestDatabase): Promise<Row[]> =>
  withConnection(
    db.url,
    async (c) =>
      (await c.query('SELECT * FROM _prisma_migrations ORDER BY migration_name')) as Row[],
  );
const sha256 = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');

describe('migrate', () => {
  it('applies migrations in order and records them like Prisma', async () => {
    const db = await fresh();
    const result = await migrate({ url: db.url, migrationsDir: FIXTURES });
    expect(result).toEqual({ applied: NAMES, skipped: [] });

    const rows = await rowsOf(db);
    expect(rows.map((r) => r.migration_name)).toEqual(NAMES);
    for (const r of rows) {
      expect(r.checksum).toBe(sha256(join(FIXTURES, r.migration_name, 'migration.sql')));
      expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r).toMatchObject({ applied_steps_count: 1, logs: null, rolled_back_at: null });
    }
    // Quotes, comments and semicolons inside strings survived: the seed ran after the ALTER.
    const products = await withConnection(
      db.url,
      async (c) => (await c.query('SELECT name, sku FROM products ORDER BY sku')) as unknown,
    );
    expect(products).toEqual([
      { name: "it's; fine", sku: 'SKU-1' },
      { name: 'back\\slash "double"', sku: 'SKU-2' },
      { name: '-- not a comment', sku: 'SKU-3' },
    ]);
  });

  it('creates _prisma_migrations with the same columns as Prisma', async () => {
    const db = await fresh();
    await migrate({ url: db.url, migrationsDir: FIXTURES });
    const cols = await withConnection(
      db.url,
      async (c) =>
        (await c.query(
          `SELECT COLUMN_NAME AS c, COLUMN_TYPE AS t, IS_NULLABLE AS n FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_prisma_migrations' ORDER BY ORDINAL_POSITION`,
        )) as Array<{ c: string; t: string; n: string }>,
    );
    expect(cols.map(({ c, t, n }) => `${c} ${t} ${n}`)).toEqual([
      'id varchar(36) NO',
      'checksum varchar(64) NO',
      'finished_at datetime(3) YES',
      'migration_name varchar(255) NO',
      'logs text YES',
      'rolled_back_at datetime(3) YES',
      'started_at datetime(3) NO',
      'applied_steps_count int(10) unsigned NO',
    ]);
  });

  it('applies nothing the second time, and only the new one after adding a migration', async () => {
    const db = await fresh();
    const dir = copyFixtures();
    const last = NAMES[2] ?? '';
    const kept = join(tmpdir(), `meshcart-held-${process.pid}-${Date.now()}`);
    cpSync(join(dir, last), kept, { recursive: true });
    rmSync(join(dir, last), { recursive: true });
    dirs.push(kept);

    expect((await migrate({ url: db.url, migrationsDir: dir })).applied).toEqual(NAMES.slice(0, 2));
    expect(await migrate({ url: db.url, migrationsDir: dir })).toEqual({
      applied: [],
      skipped: NAMES.slice(0, 2),
    });
    cpSync(kept, join(dir, last), { recursive: true });
    expect(await migrate({ url: db.url, migrationsDir: dir })).toEqual({
      applied: [last],
      skipped: NAMES.slice(0, 2),
    });
  });

  it('refuses an applied migration that was edited, naming it', async () => {
    const db = await fresh();
    const dir = copyFixtures();
    await migrate({ url: db.url, migrationsDir: dir });
    appendFileSync(
      join(dir, NAMES[1] ?? '', 'migration.sql'),
      'ALTER TABLE `products` ADD COLUMN `x` INT;\n',
    );
    await expect(migrate({ url: db.url, migrationsDir: dir })).rejects.toThrow(NAMES[1]);
    expect((await rowsOf(db)).length).toBe(3);
  });

  it('accepts an applied migration whose only change is CRLF line endings (as Prisma does)', async () => {
    const db = await fresh();
    const dir = copyFixtures();
    await migrate({ url: db.url, migrationsDir: dir });
    const file = join(dir, NAMES[0] ?? '', 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    expect((await migrate({ url: db.url, migrationsDir: dir })).skipped).toEqual(NAMES);
  });

  it('refuses when an applied migration is missing from disk', async () => {
    const db = await fresh();
    const dir = copyFixtures();
    await migrate({ url: db.url, migrationsDir: dir });
    rmSync(join(dir, NAMES[1] ?? ''), { recursive: true });
    await expect(migrate({ url: db.url, migrationsDir: dir })).rejects.toThrow(NAMES[1]);
  });

  it('records a failed migration and refuses to continue until it is marked rolled back', async () => {
    const db = await fresh();
    const dir = copyFixtures();
    const bad = '20240104000000_bad';
    mkdirSync(join(dir, bad));
    writeFileSync(
      join(dir, bad, 'migration.sql'),
      'CREATE TABLE ok_part (id INT PRIMARY KEY);\nALTER TABLE nope ADD COLUMN y INT;\n',
    );
    await expect(migrate({ url: db.url, migrationsDir: dir })).rejects.toThrow(bad);

    const failed = (await rowsOf(db)).find((r) => r.migration_name === bad);
    expect(failed).toMatchObject({ finished_at: null, applied_steps_count: 0 });
    expect(failed?.logs).toBeTruthy();
    // Fixing the file is not enough: a human must repair and resolve first.
    writeFileSync(
      join(dir, bad, 'migration.sql'),
      'CREATE TABLE IF NOT EXISTS ok_part (id INT PRIMARY KEY);\n',
    );
    await expect(migrate({ url: db.url, migrationsDir: dir })).rejects.toThrow(bad);

    await withConnection(db.url, (c) =>
      c.query('UPDATE _prisma_migrations SET rolled_back_at = NOW(3) WHERE finished_at IS NULL'),
    );
    expect(await migrate({ url: db.url, migrationsDir: dir })).toEqual({
      applied: [bad],
      skipped: NAMES,
    });
    expect((await rowsOf(db)).filter((r) => r.migration_name === bad)).toHaveLength(2);
  });

  it('lets two concurrent runners apply each migration exactly once', async () => {
    const db = await fresh();
    const results = await Promise.all(
      [1, 2, 3].map(() => migrate({ url: db.url, migrationsDir: FIXTURES })),
    );
    expect(results.flatMap((r) => r.applied).sort()).toEqual(NAMES);
    expect(results.flatMap((r) => r.skipped).sort()).toEqual([...NAMES, ...NAMES].sort());
    expect((await rowsOf(db)).map((r) => r.migration_name)).toEqual(NAMES);
  });

  it('fails clearly when the migrations folder does not exist', async () => {
    const db = await fresh();
    await expect(migrate({ url: db.url, migrationsDir: join(FIXTURES, 'nope') })).rejects.toThrow(
      /not found/,
    );
  });
});
