/**
 * A small parser for the subset of Prisma schema language our services use.
 *
 * Why not Prisma's own parser: `getDMMF` lives in @prisma/internals (not
 * installed, and not meant as a public API); the `prisma` CLI only carries its
 * wasm schema parser inlined in a bundled cli.js with no exported entry point.
 * `prisma generate` (scripts/prisma-generate.sh) still validates every schema
 * with the real parser; this one only has to extract the database shape, and it
 * REFUSES anything it does not understand (throws naming the line) instead of
 * guessing, so drift checks never pass silently on an unsupported construct.
 *
 * Supported: model/enum/datasource/generator blocks, scalar + enum + relation
 * fields, `?`, relation lists, @id @unique @map @db.* @relation(fields, references)
 * (@default, @updatedAt and other attributes are accepted and ignored), @@map
 * @@id @@unique @@index. Not supported: view/type blocks, scalar lists,
 * Unsupported(), implicit many-to-many relations, multi-schema (@@schema).
 */

/** Prisma scalar types that become one column. */
export const SCALARS = new Set([
  'String',
  'Boolean',
  'Int',
  'BigInt',
  'Float',
  'Decimal',
  'DateTime',
  'Json',
  'Bytes',
]);

export interface Attribute {
  /** Without the leading @ / @@, e.g. `unique`, `db.VarChar`, `map`. */
  name: string;
  /** Raw text between the parentheses ('' when none). */
  args: string;
}

export interface Field {
  name: string;
  /** Column name (@map or the field name). */
  column: string;
  type: string;
  kind: 'scalar' | 'enum' | 'relation';
  optional: boolean;
  list: boolean;
  attributes: Attribute[];
}

export interface Model {
  name: string;
  /** Table name (@@map or the model name). */
  table: string;
  fields: Field[];
  /** Block attributes (@@id, @@unique, @@index, @@map ...). */
  attributes: Attribute[];
}

export interface PrismaSchema {
  provider: string;
  /** 'prisma' means no foreign keys in the database. */
  relationMode: 'foreignKeys' | 'prisma';
  models: Model[];
  /** Enum name -> database values (after @map). */
  enums: Map<string, string[]>;
}

const BLOCK_START = /^(model|enum|datasource|generator|view|type)\s+(\w+)\s*\{$/;
const FIELD = /^(\w+)\s+(\w+)(\[\])?(\?)?(?:\s+(.*))?$/;

/** Parses schema text; throws `schema line N: ...` on anything outside the supported subset. */
export function parsePrismaSchema(text: string): PrismaSchema {
  const schema: PrismaSchema = {
    provider: '',
    relationMode: 'foreignKeys',
    models: [],
    enums: new Map(),
  };
  const lines = text.split(/\r?\n/).map((l) => stripComment(l).trim());
  const fail = (i: number, why: string): never => {
    throw new Error(`schema line ${i + 1}: ${why}: ${lines[i] ?? ''}`);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const start = BLOCK_START.exec(line);
    if (!start) fail(i, 'expected a block (model, enum, datasource, generator)');
    const [, keyword = '', name = ''] = start ?? [];
    const body: Array<{ i: number; line: string }> = [];
    for (i++; i < lines.length && lines[i] !== '}'; i++) {
      if (lines[i] !== '') body.push({ i, line: lines[i] ?? '' });
    }
    if (i >= lines.length) fail(i - 1, `block ${name} is not closed`);
    if (keyword === 'view' || keyword === 'type')
      fail(body[0]?.i ?? i, `${keyword} blocks are not supported`);
    if (keyword === 'datasource') {
      for (const { line: l } of body) {
        const kv = /^(\w+)\s*=\s*"([^"]*)"$/.exec(l);
        if (kv?.[1] === 'provider') schema.provider = kv[2] ?? '';
        if (kv?.[1] === 'relationMode' && kv[2] === 'prisma') schema.relationMode = 'prisma';
      }
    } else if (keyword === 'enum') {
      const values: string[] = [];
      for (const { i: n, line: l } of body) {
        if (l.startsWith('@@')) continue; // @@map names the enum, irrelevant to MySQL columns
        const m = /^(\w+)(?:\s+(.*))?$/.exec(l) ?? fail(n, 'expected an enum value');
        const map = parseAttributes(m[2] ?? '', () => fail(n, 'bad attribute')).find(
          (a) => a.name === 'map',
        );
        values.push(map ? (firstString(map.args) ?? m[1]!) : m[1]!);
      }
      schema.enums.set(name, values);
    } else if (keyword === 'model') {
      schema.models.push(parseModel(name, body, fail));
    }
  }
  resolveKinds(schema, (why) => {
    throw new Error(`schema: ${why}`);
  });
  return schema;
}

function parseModel(
  name: string,
  body: Array<{ i: number; line: string }>,
  fail: (i: number, why: string) => never,
): Model {
  const model: Model = { name, table: name, fields: [], attributes: [] };
  for (const { i, line } of body) {
    if (line.startsWith('@@')) {
      const attrs = parseAttributes(line.slice(1), () => fail(i, 'bad block attribute'));
      for (const a of attrs) {
        if (a.name === 'schema' || a.name === 'ignore') fail(i, `@@${a.name} is not supported`);
        if (a.name === 'map') model.table = firstString(a.args) ?? fail(i, '@@map needs a name');
      }
      model.attributes.push(...attrs);
      continue;
    }
    const m = FIELD.exec(line) ?? fail(i, 'expected a field');
    const [, fieldName = '', type = '', list, optional, rest = ''] = m;
    if (type === 'Unsupported') fail(i, 'Unsupported() fields are not supported');
    const attributes = parseAttributes(rest, () => fail(i, 'bad field attribute'));
    const map = attributes.find((a) => a.name === 'map');
    model.fields.push({
      name: fieldName,
      column: map ? (firstString(map.args) ?? fieldName) : fieldName,
      type,
      kind: 'scalar', // fixed up in resolveKinds once every block is known
      optional: optional === '?',
      list: list === '[]',
      attributes,
    });
  }
  return model;
}

function resolveKinds(schema: PrismaSchema, fail: (why: string) => never): void {
  const models = new Map(schema.models.map((m) => [m.name, m]));
  for (const model of schema.models) {
    for (const f of model.fields) {
      if (models.has(f.type)) f.kind = 'relation';
      else if (schema.enums.has(f.type)) f.kind = 'enum';
      else if (!SCALARS.has(f.type)) fail(`${model.name}.${f.name}: unknown type ${f.type}`);
      if (f.list && f.kind !== 'relation')
        fail(`${model.name}.${f.name}: scalar lists do not exist on MySQL`);
      if (f.list && f.kind === 'relation') {
        const back =
          models.get(f.type)?.fields.filter((o) => o.type === model.name && o !== f) ?? [];
        if (back.some((o) => o.list))
          fail(
            `${model.name}.${f.name}: implicit many-to-many relations are not supported, use an explicit join model`,
          );
      }
    }
  }
}

/** Removes a `//` comment that is not inside a string literal. */
function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (c === '/' && !inString && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/** Parses `@a @b.c(args) @d("x", y: [1, 2])` respecting nested parentheses and strings. */
export function parseAttributes(text: string, bad: () => never): Attribute[] {
  const out: Attribute[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i] ?? '')) {
      i++;
      continue;
    }
    if (text[i] !== '@') bad();
    const name = /^@([\w.]+)/.exec(text.slice(i)) ?? bad();
    i += name[0].length;
    let args = '';
    if (text[i] === '(') {
      const start = ++i;
      let depth = 1;
      let inString = false;
      for (; i < text.length && depth > 0; i++) {
        const c = text[i];
        if (c === '\\' && inString) i++;
        else if (c === '"') inString = !inString;
        else if (!inString && c === '(') depth++;
        else if (!inString && c === ')') depth--;
      }
      if (depth !== 0) bad();
      args = text.slice(start, i - 1);
    }
    out.push({ name: name[1] ?? '', args });
  }
  return out;
}

/** The first "string" argument, unescaped. */
export function firstString(args: string): string | undefined {
  const m = /"((?:[^"\\]|\\.)*)"/.exec(args);
  return m ? (m[1] ?? '').replace(/\\(.)/g, '$1') : undefined;
}

/** Field names of a list argument: `[a, b(sort: Desc)]`, or the named one (`fields: [...]`). */
export function listArg(args: string, key?: string): string[] {
  const re = key ? new RegExp(`\\b${key}\\s*:\\s*\\[([^\\]]*)\\]`) : /\[([^\]]*)\]/;
  const m = re.exec(args);
  if (!m) return [];
  return (m[1] ?? '')
    .replace(/\([^)]*\)/g, '') // per-column options: sort, length
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
