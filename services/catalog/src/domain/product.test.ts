import fc from 'fast-check';
import { DomainError, isSku, MAX_AMOUNT_MINOR } from '@meshcart/kit';
import { DEMO_CURRENCY, DEMO_PRODUCTS } from '../seed/demo-products';
import { sameFields, validateProductWrite, type ProductFieldsInput } from './product';

const ok: ProductFieldsInput = {
  name: 'Mug',
  description: '',
  category: 'kitchen',
  price: { currencyCode: 'EUR', amountMinor: '1299' },
  active: true,
};

const fieldsOf = (sku: string, f: Partial<ProductFieldsInput>): string[] => {
  try {
    validateProductWrite({ sku, fields: { ...ok, ...f } });
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).violations.map((v) => v.field).sort();
  }
};

test.each([
  ['ABC', true],
  ['0-A', true],
  ['A'.repeat(32), true],
  ['KIT-MUG-001', true],
  ['AB', false],
  ['-AB', false],
  ['abc', false],
  ['A_B', false],
  ['A'.repeat(33), false],
  ['ÄBC', false],
])('sku %j valid: %s', (sku, valid) => {
  expect(isSku(sku)).toBe(valid);
  expect(fieldsOf(sku, {})).toEqual(valid ? [] : ['sku']);
});

test.each<[string, Partial<ProductFieldsInput>, string[]]>([
  ['zero price', { price: { currencyCode: 'EUR', amountMinor: '0' } }, []],
  // The shared money bound (9e15), not int64 max: a price payments could never charge is refused.
  ['the money bound', { price: { currencyCode: 'EUR', amountMinor: '9000000000000000' } }, []],
  [
    'the money bound + 1',
    { price: { currencyCode: 'EUR', amountMinor: '9000000000000001' } },
    ['fields.price.amountMinor'],
  ],
  [
    'int64 max',
    { price: { currencyCode: 'EUR', amountMinor: '9223372036854775807' } },
    ['fields.price.amountMinor'],
  ],
  ['negative', { price: { currencyCode: 'EUR', amountMinor: '-1' } }, ['fields.price.amountMinor']],
  [
    'decimal',
    { price: { currencyCode: 'EUR', amountMinor: '12.99' } },
    ['fields.price.amountMinor'],
  ],
  [
    'EUR lower case',
    { price: { currencyCode: 'eur', amountMinor: '1' } },
    ['fields.price.currencyCode'],
  ],
  [
    'unknown currency',
    { price: { currencyCode: 'XYZ', amountMinor: '1' } },
    ['fields.price.currencyCode'],
  ],
  [
    'withdrawn currency',
    { price: { currencyCode: 'HRK', amountMinor: '1' } },
    ['fields.price.currencyCode'],
  ],
  ['category with double dash', { category: 'a--b' }, ['fields.category']],
  ['category of 51 chars', { category: 'c'.repeat(51) }, ['fields.category']],
  ['multi-word category', { category: 'home-and-garden' }, []],
  ['name of 200 chars', { name: 'é'.repeat(200) }, []],
  ['name of 201 chars', { name: 'é'.repeat(201) }, ['fields.name']],
  ['name with a tab', { name: 'a\tb' }, ['fields.name']],
  ['description of 5000 chars', { description: 'd'.repeat(5000) }, []],
  ['description with line breaks', { description: 'one\r\ntwo\tthree' }, []],
  ['description with a NUL', { description: 'a\u0000b' }, ['fields.description']],
])('%s', (_name, f, expected) => {
  expect(fieldsOf('ABC-1', f)).toEqual(expected);
});

test('any amount within the money bound survives validation exactly', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: MAX_AMOUNT_MINOR }), (n) => {
      const { fields } = validateProductWrite({
        sku: 'ABC',
        fields: { ...ok, price: { currencyCode: 'JPY', amountMinor: n.toString() } },
      });
      expect(fields.price.amountMinor).toBe(n);
    }),
  );
});

test('sameFields compares every writable field', () => {
  const a = validateProductWrite({ sku: 'ABC', fields: ok }).fields;
  expect(sameFields(a, { ...a })).toBe(true);
  expect(sameFields(a, { ...a, active: false })).toBe(false);
  expect(sameFields(a, { ...a, price: { ...a.price, amountMinor: 1300n } })).toBe(false);
  expect(sameFields(a, { ...a, description: 'x' })).toBe(false);
});

test('every demo product is a valid CreateProduct', () => {
  for (const d of DEMO_PRODUCTS) {
    const price = { currencyCode: DEMO_CURRENCY, amountMinor: d.priceMinor };
    expect(() => validateProductWrite({ sku: d.sku, fields: { ...d, price } })).not.toThrow();
  }
});
