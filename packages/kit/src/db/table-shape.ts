/**
 * What a table looks like, in one comparable form: built from the Prisma schema
 * (expectedShapes: the DDL Prisma would create for MySQL) and from information_schema
 * (schema-drift.ts introspect). Types are lower-case MySQL spellings with integer
 * display widths dropped, so `Int` and MariaDB's `int(11)` compare equal.
 */
import { type Field, listArg, type Model, type PrismaSchema } from './prisma-schema';

/** One table's shape; the same structure describes the schema and the database. */
export interface TableShape {
  /** column -> accepted types (several only on the schema side) and nullability */
  columns: Map<string, { types: string[]; nullable: boolean }>;
  primaryKey: string[];
  uniques: string[][];
  indexes: string[][];
  /** rendered `(a, b) -> Other(x, y)` */
  foreignKeys: string[];
}

// Types whose (n) is a display width, not part of the type (MariaDB prints int(11), year(4)).
const INT_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'year']);
const DEFAULT_TYPES: Record<string, string[]> = {
  String: ['varchar(191)'],
  Boolean: ['tinyint(1)'],
  Int: ['int'],
  BigInt: ['bigint'],
  Float: ['double'],
  Decimal: ['decimal(65,30)'],
  DateTime: ['datetime(3)'],
  Json: ['json', 'longtext'],
  Bytes: ['longblob'],
};

/** The column types Prisma would create for a field (lower-case, MySQL spelling). */
export function expectedTypes(field: Field, enums: Map<string, string[]>): string[] {
  const native = field.attributes.find((a) => a.name.startsWith('db.'));
  if (native) {
    let name = native.name.slice(3).toLowerCase();
    const unsigned = name.startsWith('unsigned');
    if (unsigned) name = name.slice('unsigned'.length);
    if (name === 'json') return DEFAULT_TYPES.Json ?? [];
    const args = native.args.replace(/\s+/g, '');
    // Integer display widths are noise, except TINYINT(1) which is how Boolean is spelt.
    const keepArgs =
      args !== '' && (INT_TYPES.has(name) ? name === 'tinyint' && args === '1' : args !== '0');
    return [`${name}${keepArgs ? `(${args})` : ''}${unsigned ? ' unsigned' : ''}`];
  }
  if (field.kind === 'enum') {
    const values = enums.get(field.type) ?? [];
    return [`enum(${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')})`];
  }
  return DEFAULT_TYPES[field.type] ?? [];
}

/** Normalises information_schema COLUMN_TYPE the same way (display widths, case). */
export function normalizeColumnType(columnType: string): string {
  if (/^enum\(/i.test(columnType)) return 'enum' + columnType.slice(4); // values keep their case
  const t = columnType.toLowerCase().trim();
  const int = /^(\w+)\((\d+)\)(.*)$/.exec(t);
  if (int && INT_TYPES.has(int[1] ?? '')) {
    return int[1] === 'tinyint' && int[2] === '1' ? `tinyint(1)${int[3]}` : `${int[1]}${int[3]}`;
  }
  return t;
}

/** Table name -> expected shape, from the parsed schema. */
export function expectedShapes(schema: PrismaSchema): Map<string, TableShape> {
  const byName = new Map(schema.models.map((m) => [m.name, m]));
  const shapes = new Map<string, TableShape>();
  for (const model of schema.models) {
    const cols = (fields: string[]): string[] => fields.map((f) => columnOf(model, f));
    const shape: TableShape = {
      columns: new Map(),
      primaryKey: [],
      uniques: [],
      indexes: [],
      foreignKeys: [],
    };
    for (const f of model.fields) {
      if (f.kind === 'relation') {
        const rel = f.attributes.find((a) => a.name === 'relation');
        const fields = rel ? listArg(rel.args, 'fields') : [];
        const target = byName.get(f.type);
        if (fields.length > 0 && target && rel) {
          shape.foreignKeys.push(
            renderFk(
              cols(fields),
              target.table,
              listArg(rel.args, 'references').map((r) => columnOf(target, r)),
            ),
          );
        }
        continue;
      }
      shape.columns.set(f.column, { types: expectedTypes(f, schema.enums), nullable: f.optional });
      if (f.attributes.some((a) => a.name === 'id')) shape.primaryKey = [f.column];
      if (f.attributes.some((a) => a.name === 'unique')) shape.uniques.push([f.column]);
    }
    for (const a of model.attributes) {
      if (a.name === 'id') shape.primaryKey = cols(listArg(a.args));
      if (a.name === 'unique') shape.uniques.push(cols(listArg(a.args)));
      if (a.name === 'index') shape.indexes.push(cols(listArg(a.args)));
    }
    shapes.set(model.table, shape);
  }
  return shapes;
}

function columnOf(model: Model, fieldName: string): string {
  const f = model.fields.find((x) => x.name === fieldName);
  if (!f || f.kind === 'relation')
    throw new Error(`schema: ${model.name} has no scalar field ${fieldName}`);
  return f.column;
}

/** Renders a foreign key the same way for both sides. */
export const renderFk = (cols: string[], table: string, refs: string[]): string =>
  `(${cols.join(', ')}) -> ${table}(${refs.join(', ')})`;
