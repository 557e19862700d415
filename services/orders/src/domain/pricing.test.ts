import fc from 'fast-check';
import { DomainError } from '@meshcart/kit';
import { MAX_AMOUNT_MINOR, orderTotals, priceItems, type CatalogProduct } from './pricing';

const p = (sku: string, amount: bigint, currencyCode = 'EUR', active = true): CatalogProduct => ({
  sku,
  name: sku.toLowerCase(),
  active,
  price: { currencyCode, amountMinor: amount },
});
const catalog = (...products: CatalogProduct[]) => new Map(products.map((x) => [x.sku, x]));
const reasonOf = (fn: () => unknown): [string, Record<string, string>, string[]] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return [e.reason, e.metadata, e.violations.map((v) => v.field)];
    throw e;
  }
  throw new Error('expected a DomainError');
};

test('lines are unit price x quantity; total = subtotal + shipping', () => {
  const priced = priceItems(
    [
      { sku: 'A-1', quantity: 3 },
      { sku: 'B-1', quantity: 1 },
    ],
    catalog(p('A-1', 1299n), p('B-1', 5n)),
  );
  expect(priced.lines.map((l) => [l.sku, l.name, l.unitPriceMinor, l.lineTotalMinor])).toEqual([
    ['A-1', 'a-1', 1299n, 3897n],
    ['B-1', 'b-1', 5n, 5n],
  ]);
  expect(orderTotals(priced, { currencyCode: 'EUR', amountMinor: 499n })).toEqual({
    subtotalMinor: 3902n,
    shippingMinor: 499n,
    totalMinor: 4401n,
  });
});

test('unknown and inactive skus: PRODUCT_UNAVAILABLE naming each line', () => {
  const items = [
    { sku: 'A-1', quantity: 1 },
    { sku: 'GONE', quantity: 1 },
    { sku: 'OFF', quantity: 1 },
  ];
  expect(
    reasonOf(() => priceItems(items, catalog(p('A-1', 1n), p('OFF', 1n, 'EUR', false)))),
  ).toEqual([
    'PRODUCT_UNAVAILABLE',
    { sku: 'GONE', skus: 'GONE,OFF' },
    ['items[1].sku', 'items[2].sku'],
  ]);
});

test('mixed currencies, in the items or against the shipping quote: MIXED_CURRENCY', () => {
  const items = [
    { sku: 'A-1', quantity: 1 },
    { sku: 'B-1', quantity: 1 },
  ];
  expect(
    reasonOf(() => priceItems(items, catalog(p('A-1', 1n, 'USD'), p('B-1', 1n, 'EUR')))),
  ).toEqual(['MIXED_CURRENCY', { currencies: 'EUR,USD' }, []]);
  const priced = priceItems([items[0]!], catalog(p('A-1', 1n)));
  expect(reasonOf(() => orderTotals(priced, { currencyCode: 'USD', amountMinor: 1n }))[0]).toBe(
    'MIXED_CURRENCY',
  );
});

test('totals beyond the money bound (9e15): AMOUNT_TOO_LARGE, never a charge payments refuses', () => {
  expect(
    reasonOf(() =>
      priceItems([{ sku: 'A-1', quantity: 1000 }], catalog(p('A-1', MAX_AMOUNT_MINOR / 999n))),
    )[0],
  ).toBe('AMOUNT_TOO_LARGE');
  const priced = priceItems([{ sku: 'A-1', quantity: 1 }], catalog(p('A-1', MAX_AMOUNT_MINOR)));
  expect(reasonOf(() => orderTotals(priced, { currencyCode: 'EUR', amountMinor: 1n }))[0]).toBe(
    'AMOUNT_TOO_LARGE',
  );
});

test('property: exact integer arithmetic, whatever the prices and quantities', () => {
  const line = fc.record({
    price: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    quantity: fc.integer({ min: 1, max: 1000 }),
  });
  fc.assert(
    fc.property(
      fc.array(line, { minLength: 1, maxLength: 100 }),
      fc.bigInt({ min: 0n, max: 10n ** 9n }),
      (lines, shipping) => {
        const items = lines.map((l, i) => ({ sku: `S-${i}`, quantity: l.quantity }));
        const priced = priceItems(items, catalog(...lines.map((l, i) => p(`S-${i}`, l.price))));
        const expected = lines.reduce((s, l) => s + l.price * BigInt(l.quantity), 0n);
        expect(priced.subtotalMinor).toBe(expected);
        expect(orderTotals(priced, { currencyCode: 'EUR', amountMinor: shipping }).totalMinor).toBe(
          expected + shipping,
        );
      },
    ),
  );
});
