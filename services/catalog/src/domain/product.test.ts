import fc from 'fast-check';
import { DomainError } from '@meshcart/kit';
import { DEMO_CURRENCY, DEMO_PRODUCTS } from '../seed/demo-products';
import { CURRENCY_CODES, isCurrencyCode } from './currencies';
import { sameFields, SKU, validateProductWrite, type ProductFieldsInput } from './product';

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
  expect(SKU.test(sku)).toBe(valid);
  expect(fieldsOf(sku, {})).toEqual(valid ? [] : ['sku']);
});

test.each<[string, Partial<ProductFieldsInput>, string[]]>([
  ['zero price', { price: { currencyCode: 'EUR', amountMinor: '0' } }, []],
  ['int64 max', { price: { currencyCode: 'EUR', amountMinor: '9223372036854775807' } }, []],
  [
    'int64 max + 1',
    { price: { currencyCode: 'EUR', amountMinor: '9223372036854775808' } },
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
])('%s', (_name, f, expected) => {
  expect(fieldsOf('ABC-1', f)).toEqual(expected);
});

test('the currency list holds the common codes in ISO form', () => {
  for (const c of ['EUR', 'USD', 'GBP', 'JPY', 'CHF', 'SEK', 'PLN', 'CNY', 'INR', 'BRL'])
    expect(isCurrencyCode(c)).toBe(true);
  for (const c of CURRENCY_CODES) expect(c).toMatch(/^[A-Z]{3}$/);
  expect(CURRENCY_CODES.size).toBeGreaterThan(150);
});

test('any non-negative int64 amount survives validation exactly', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), (n) => {
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
