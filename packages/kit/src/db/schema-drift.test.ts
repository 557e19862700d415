/** Integration: migrates the fixture service into throwaway databases and compares fixture schemas with it. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withConnection } from './connection';
import { migrate } from './migrate';
import { checkSchemaDrift } from './schema-drift';
import { createTestDatabase, expectNoSchemaDrift, type TestDatabase } from './test-database';

const SERVICE = join(__dirname, '__fixtures__', 'shop');
const SCHEMA = join(SERVICE, 'prisma', 'schema.prisma');
const MIGRATIONS = join(SERVICE, 'prisma', 'migrations');
const schemaText = readFileSync(SCHEMA, 'utf8');

let db: TestDatabase;
const tmp = mkdtempSync(join(tmpdir(), 'meshcart-drift-'));
beforeAll(async () => {
  db = await createTestDatabase('drift');
  await migrate({ url: db.url, migrationsDir: MIGRATIONS });
});
afterAll(async () => {
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Writes the fixture schema with one edit applied (and checks the edit really happened). */
let n = 0;
const variant = (from: string, to: string): string => {
  expect(schemaText).toContain(from);
  const file = join(tmp, `schema-${++n}.prisma`);
  writeFileSync(file, schemaText.replace(from, to));
  return file;
};

describe('checkSchemaDrift', () => {
  it('reports nothing when schema and migrations match', async () => {
    expect(await checkSchemaDrift({ url: db.url, schemaPath: SCHEMA })).toEqual([]);
  });

  it('finds a column the database lacks', async () => {
    const schemaPath = variant(
      '  name      String?\n',
      '  name      String?\n  nickname  String?\n',
    );
    expect(await checkSchemaDrift({ url: db.url, schemaPath })).toEqual([
      'table customers: column nickname is missing',
    ]);
  });

  it('finds a wrong nullability', async () => {
    const schemaPath = variant('  name      String?\n', '  name      String\n');
    expect(await checkSchemaDrift({ url: db.url, schemaPath })).toEqual([
      'table customers: column name is NULL, schema expects NOT NULL',
    ]);
  });

  it('finds a missing unique key', async () => {
    const schemaPath = variant('@map("total_cents")', '@unique @map("total_cents")');
    expect(await checkSchemaDrift({ url: db.url, schemaPath })).toEqual([
      'table orders: unique key on (total_cents) is missing',
    ]);
  });

  it('finds a wrong column type and a wrong primary key', async () => {
    const schemaPath = variant(
      'sku      String @db.VarChar(64)',
      'sku      String @db.VarChar(32)',
    );
    expect(await checkSchemaDrift({ url: db.url, schemaPath })).toEqual([
      'table order_lines: column sku is varchar(64), schema expects varchar(32)',
    ]);
    const pk = variant('@@id([orderId, sku])', '@@id([sku, orderId])');
    expect(await checkSchemaDrift({ url: db.url, schemaPath: pk })).toEqual([
      'table order_lines: primary key is (order_id, sku), schema expects (sku, order_id)',
    ]);
  });

  it('finds an enum whose values changed', async () => {
    const schemaPath = variant(
      '  CANCELLED @map("cancelled")\n',
      '  CANCELLED @map("cancelled")\n  REFUNDED\n',
    );
    const diffs = await checkSchemaDrift({ url: db.url, schemaPath });
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toContain('column status');
  });

  it('finds a table that is not in the schema and a missing foreign key', async () => {
    const other = await createTestDatabase('drift_extra');
    try {
      await migrate({ url: other.url, migrationsDir: MIGRATIONS });
      await withConnection(other.url, async (c) => {
        await c.query('CREATE TABLE stray (id INT PRIMARY KEY)');
        await c.query('ALTER TABLE order_lines DROP FOREIGN KEY order_lines_order_id_fkey');
      });
      expect(await checkSchemaDrift({ url: other.url, schemaPath: SCHEMA })).toEqual([
        'table order_lines: foreign key (order_id) -> orders(id) is missing',
        'table stray is not in the schema',
      ]);
    } finally {
      await other.drop();
    }
  });

  it('finds a model whose table was never created', async () => {
    const schemaPath = variant('@@map("order_lines")', '@@map("order_items")');
    expect(await checkSchemaDrift({ url: db.url, schemaPath })).toEqual([
      'table order_items is missing',
      'table order_lines is not in the schema',
    ]);
  });
});

describe('expectNoSchemaDrift', () => {
  it('passes for the fixture service', async () => {
    await expectNoSchemaDrift(SERVICE);
  });

  it('fails, listing the differences, for a service whose schema drifted', async () => {
    const service = join(tmp, 'drifted');
    cpSync(SERVICE, service, { recursive: true });
    writeFileSync(
      join(service, 'prisma', 'schema.prisma'),
      schemaText.replace('  name      String?\n', '  name      String\n'),
    );
    await expect(expectNoSchemaDrift(service)).rejects.toThrow(/column name/);
  });
});
