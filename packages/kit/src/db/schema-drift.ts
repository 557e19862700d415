/**
 * Compares a Prisma schema with a migrated database: since migrations are
 * hand-written SQL (no `prisma migrate diff` here), this is what catches a
 * schema.prisma and its migrations disagreeing before Prisma fails at runtime.
 *
 * Checked: tables (and extra tables), columns (and extra columns), column type
 * family, nullability, primary key, unique keys (missing and extra), declared
 * @@index (missing only: MySQL adds its own indexes for foreign keys) and
 * foreign keys (unless relationMode = "prisma"). Not checked: defaults,
 * constraint/index names, ON DELETE/UPDATE actions, collations, and whether a
 * MariaDB LONGTEXT column is Json or LongText (MariaDB stores JSON as LONGTEXT).
 */
import { readFileSync } from 'node:fs';
import type { Connection } from 'mariadb';
import { withConnection } from './connection';
import { parsePrismaSchema } from './prisma-schema';
import { expectedShapes, normalizeColumnType, renderFk, type TableShape } from './table-shape';

export type { TableShape } from './table-shape';

export interface DriftOptions {
  /** URL of the migrated database. */
  url: string;
  schemaPath: string;
}

/** Human-readable differences between schema and database; empty when in sync. */
export async function checkSchemaDrift(opts: DriftOptions): Promise<string[]> {
  const schema = parsePrismaSchema(readFileSync(opts.schemaPath, 'utf8'));
  if (schema.provider !== 'mysql')
    throw new Error(`${opts.schemaPath}: datasource provider must be "mysql"`);
  const actual = await withConnection(opts.url, introspect);
  return diffShapes(expectedShapes(schema), actual, schema.relationMode === 'foreignKeys');
}

const key = (cols: string[]): string => `(${cols.join(', ')})`;

/** Reads the current database's shape from information_schema. */
export async function introspect(conn: Connection): Promise<Map<string, TableShape>> {
  const shapes = new Map<string, TableShape>();
  const get = (t: string): TableShape => {
    let s = shapes.get(t);
    if (!s)
      shapes.set(
        t,
        (s = { columns: new Map(), primaryKey: [], uniques: [], indexes: [], foreignKeys: [] }),
      );
    return s;
  };
  const where = 'TABLE_SCHEMA = DATABASE()';
  const tables = (await conn.query(
    `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE ${where} AND TABLE_TYPE = 'BASE TABLE'`,
  )) as Array<{ t: string }>;
  for (const { t } of tables) get(t);
  const columns = (await conn.query(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE ${where} ORDER BY TABLE_NAME, ORDINAL_POSITION`,
  )) as Array<{ t: string; c: string; type: string; nullable: string }>;
  for (const c of columns)
    shapes
      .get(c.t)
      ?.columns.set(c.c, { types: [normalizeColumnType(c.type)], nullable: c.nullable === 'YES' });

  const stats = (await conn.query(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS name, NON_UNIQUE AS nonUnique, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE ${where} ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
  )) as Array<{ t: string; name: string; nonUnique: number | string; c: string }>;
  const indexes = new Map<string, { t: string; name: string; unique: boolean; cols: string[] }>();
  for (const s of stats) {
    const k = `${s.t}\u0000${s.name}`;
    const idx = indexes.get(k) ?? {
      t: s.t,
      name: s.name,
      unique: Number(s.nonUnique) === 0,
      cols: [],
    };
    idx.cols.push(s.c);
    indexes.set(k, idx);
  }
  for (const idx of indexes.values()) {
    const shape = shapes.get(idx.t);
    if (!shape) continue;
    if (idx.name === 'PRIMARY') shape.primaryKey = idx.cols;
    else (idx.unique ? shape.uniques : shape.indexes).push(idx.cols);
  }

  const fks = (await conn.query(
    `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS name, COLUMN_NAME AS c, REFERENCED_TABLE_NAME AS rt, REFERENCED_COLUMN_NAME AS rc
       FROM information_schema.KEY_COLUMN_USAGE WHERE ${where} AND REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
  )) as Array<{ t: string; name: string; c: string; rt: string; rc: string }>;
  const grouped = new Map<string, { t: string; rt: string; cols: string[]; refs: string[] }>();
  for (const f of fks) {
    const k = `${f.t}\u0000${f.name}`;
    const g = grouped.get(k) ?? { t: f.t, rt: f.rt, cols: [], refs: [] };
    g.cols.push(f.c);
    g.refs.push(f.rc);
    grouped.set(k, g);
  }
  for (const g of grouped.values())
    shapes.get(g.t)?.foreignKeys.push(renderFk(g.cols, g.rt, g.refs));
  return shapes;
}

/** Lists every difference between expected (schema) and actual (database) shapes. */
export function diffShapes(
  expected: Map<string, TableShape>,
  actual: Map<string, TableShape>,
  checkForeignKeys: boolean,
): string[] {
  const out: string[] = [];
  for (const [table, want] of expected) {
    const have = actual.get(table);
    if (!have) {
      out.push(`table ${table} is missing`);
      continue;
    }
    const at = `table ${table}:`;
    for (const [col, w] of want.columns) {
      const h = have.columns.get(col);
      if (!h) {
        out.push(`${at} column ${col} is missing`);
        continue;
      }
      const type = h.types[0] ?? '';
      if (!w.types.includes(type))
        out.push(`${at} column ${col} is ${type}, schema expects ${w.types.join(' or ')}`);
      if (h.nullable !== w.nullable)
        out.push(
          `${at} column ${col} is ${h.nullable ? 'NULL' : 'NOT NULL'}, schema expects ${w.nullable ? 'NULL' : 'NOT NULL'}`,
        );
    }
    for (const col of have.columns.keys())
      if (!want.columns.has(col)) out.push(`${at} column ${col} is not in the schema`);
    if (key(want.primaryKey) !== key(have.primaryKey))
      out.push(
        `${at} primary key is ${key(have.primaryKey)}, schema expects ${key(want.primaryKey)}`,
      );
    const haveUniques = new Set(have.uniques.map(key));
    const wantUniques = new Set(want.uniques.map(key));
    for (const u of wantUniques)
      if (!haveUniques.has(u)) out.push(`${at} unique key on ${u} is missing`);
    for (const u of haveUniques)
      if (!wantUniques.has(u)) out.push(`${at} unique key on ${u} is not in the schema`);
    const haveIndexes = new Set(have.indexes.map(key));
    for (const i of want.indexes.map(key))
      if (!haveIndexes.has(i)) out.push(`${at} index on ${i} is missing`);
    if (checkForeignKeys) {
      for (const fk of want.foreignKeys)
        if (!have.foreignKeys.includes(fk)) out.push(`${at} foreign key ${fk} is missing`);
      for (const fk of have.foreignKeys)
        if (!want.foreignKeys.includes(fk))
          out.push(`${at} foreign key ${fk} is not in the schema`);
    }
  }
  for (const table of actual.keys()) {
    if (table !== '_prisma_migrations' && !expected.has(table))
      out.push(`table ${table} is not in the schema`);
  }
  return out;
}
