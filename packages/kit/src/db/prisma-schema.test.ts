import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrismaSchema } from './prisma-schema';
import { expectedShapes, expectedTypes, normalizeColumnType } from './table-shape';

const shopSchema = readFileSync(join(__dirname, '__fixtures__/shop/prisma/schema.prisma'), 'utf8');
const wrap = (body: string): string => `datasource db {\n  provider = "mysql"\n}\n${body}\n`;

describe('parsePrismaSchema', () => {
  it('reads tables, columns, keys and relations of the fixture schema', () => {
    const schema = parsePrismaSchema(shopSchema);
    expect(schema.provider).toBe('mysql');
    expect(schema.enums.get('OrderStatus')).toEqual(['PENDING', 'PAID', 'cancelled']);
    const shapes = expectedShapes(schema);
    expect([...shapes.keys()]).toEqual(['customers', 'orders', 'order_lines']);
    const orders = shapes.get('orders');
    expect(orders?.columns.get('customer_id')).toEqual({ types: ['char(36)'], nullable: false });
    expect(orders?.columns.get('meta')).toEqual({ types: ['json', 'longtext'], nullable: true });
    expect(orders?.columns.get('status')?.types).toEqual(["enum('PENDING','PAID','cancelled')"]);
    expect(orders?.columns.has('customer')).toBe(false); // relation fields are not columns
    expect(orders?.uniques).toEqual([['customer_id', 'reference']]);
    expect(orders?.indexes).toEqual([['status']]);
    expect(orders?.foreignKeys).toEqual(['(customer_id) -> customers(id)']);
    expect(shapes.get('order_lines')?.primaryKey).toEqual(['order_id', 'sku']);
    expect(shapes.get('customers')?.uniques).toEqual([['email']]);
  });

  it('keeps // inside strings and drops it elsewhere', () => {
    const s = parsePrismaSchema(
      wrap('model A {\n  id Int @id // c\n  s String @default("a // b") @map("s_col") // c\n}'),
    );
    expect(s.models[0]?.fields.map((f) => f.column)).toEqual(['id', 's_col']);
  });

  it.each([
    ['a view block', 'view V {\n  id Int @unique\n}'],
    ['a scalar list', 'model A {\n  id Int @id\n  tags String[]\n}'],
    ['an Unsupported field', 'model A {\n  id Int @id\n  g Unsupported("point")\n}'],
    ['an unknown type', 'model A {\n  id Int @id\n  x Money\n}'],
    [
      'an implicit many-to-many',
      'model A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  as A[]\n}',
    ],
    ['an unclosed block', 'model A {\n  id Int @id'],
    ['a line it cannot read', 'model A {\n  id Int @id\n  = what\n}'],
  ])('refuses %s instead of guessing', (_name, body) => {
    expect(() => parsePrismaSchema(wrap(body))).toThrow();
  });
});

describe('column types', () => {
  const field = (type: string, attrs: Array<[string, string]> = []) => ({
    name: 'f',
    column: 'f',
    type,
    kind: 'scalar' as const,
    optional: false,
    list: false,
    attributes: attrs.map(([name, args]) => ({ name, args })),
  });

  it.each([
    ['String', [], 'varchar(191)'],
    ['Boolean', [], 'tinyint(1)'],
    ['DateTime', [], 'datetime(3)'],
    ['Decimal', [], 'decimal(65,30)'],
    ['Float', [], 'double'],
    ['Bytes', [], 'longblob'],
    ['Int', [['db.UnsignedInt', '']], 'int unsigned'],
    ['Int', [['db.TinyInt', '']], 'tinyint'],
    ['DateTime', [['db.DateTime', '0']], 'datetime'],
    ['Decimal', [['db.Decimal', '10, 2']], 'decimal(10,2)'],
    ['String', [['db.Text', '']], 'text'],
  ] as Array<[string, Array<[string, string]>, string]>)('%s %j -> %s', (type, attrs, want) => {
    expect(expectedTypes(field(type, attrs), new Map())).toContain(want);
  });

  it('normalises MariaDB display widths but keeps TINYINT(1) and enum case', () => {
    expect(normalizeColumnType('int(11)')).toBe('int');
    expect(normalizeColumnType('int(10) unsigned')).toBe('int unsigned');
    expect(normalizeColumnType('tinyint(1)')).toBe('tinyint(1)');
    expect(normalizeColumnType('tinyint(4)')).toBe('tinyint');
    expect(normalizeColumnType('DECIMAL(12,2)')).toBe('decimal(12,2)');
    expect(normalizeColumnType("enum('Paid','x')")).toBe("enum('Paid','x')");
  });
});
