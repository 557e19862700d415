/** QuoteShipping: deterministic prices, AQ refused, validation of address, items and currency. */
import { status } from '@grpc/grpc-js';
import {
  berlin,
  failure,
  fieldsOf,
  reasonOf,
  startShipping,
  type ShippingHarness,
} from './harness';

let h: ShippingHarness;
beforeAll(async () => {
  h = await startShipping('ship_quote');
});
afterAll(() => h.stop());

const items = [
  { sku: 'MUG-1', quantity: 2 },
  { sku: 'TEA-7', quantity: 1 },
];

test('prices by zone plus per unit, in EUR by default, the same every time', async () => {
  const de = await h.quoter.quoteShipping({ address: berlin(), items, currencyCode: '' });
  expect(de.price).toEqual({ currencyCode: 'EUR', amountMinor: '640' });
  const fr = await h.quoter.quoteShipping({
    address: berlin({ countryCode: 'FR' }),
    items,
    currencyCode: 'EUR',
  });
  expect(fr.price).toEqual({ currencyCode: 'EUR', amountMinor: '1190' });
  const us = await h.quoter.quoteShipping({
    address: berlin({ countryCode: 'US' }),
    items,
    currencyCode: '',
  });
  expect(us.price).toEqual({ currencyCode: 'EUR', amountMinor: '3240' });
  expect(await h.quoter.quoteShipping({ address: berlin(), items, currencyCode: '' })).toEqual(de);
});

test('AQ is not served: FAILED_PRECONDITION DESTINATION_NOT_SERVED', async () => {
  const e = await failure(
    h.quoter.quoteShipping({ address: berlin({ countryCode: 'AQ' }), items, currencyCode: '' }),
  );
  expect([e.code, e.reason, e.domain, e.metadata]).toEqual([
    status.FAILED_PRECONDITION,
    'DESTINATION_NOT_SERVED',
    'shipping.meshcart',
    { countryCode: 'AQ' },
  ]);
});

test('currencies other than EUR are refused on currencyCode', async () => {
  for (const currencyCode of ['USD', 'eur', 'XXX']) {
    const e = await failure(h.quoter.quoteShipping({ address: berlin(), items, currencyCode }));
    expect([e.code, fieldsOf(e)]).toEqual([status.INVALID_ARGUMENT, ['currencyCode']]);
  }
});

test('address validation names each bad field', async () => {
  const e = await failure(
    h.quoter.quoteShipping({
      address: {
        recipient: ' ',
        lines: ['ok', '', 'x'.repeat(101)],
        city: '',
        postalCode: '-123',
        countryCode: 'de',
      },
      items,
      currencyCode: '',
    }),
  );
  expect(e.code).toBe(status.INVALID_ARGUMENT);
  expect(fieldsOf(e)).toEqual([
    'address.city',
    'address.countryCode',
    'address.lines[1]',
    'address.lines[2]',
    'address.postalCode',
    'address.recipient',
  ]);
  const cases: Array<[Parameters<typeof berlin>[0], string]> = [
    [{ lines: [] }, 'address.lines'],
    [{ lines: ['a', 'b', 'c', 'd'] }, 'address.lines'],
    [{ countryCode: 'XK' }, 'address.countryCode'],
    [{ countryCode: 'UK' }, 'address.countryCode'],
    [{ postalCode: 'A' }, 'address.postalCode'],
    [{ postalCode: '1234567890123' }, 'address.postalCode'],
    [{ recipient: 'r'.repeat(101) }, 'address.recipient'],
    [{ city: 'c'.repeat(101) }, 'address.city'],
  ];
  for (const [over, field] of cases) {
    const err = await failure(
      h.quoter.quoteShipping({ address: berlin(over), items, currencyCode: '' }),
    );
    expect([over, fieldsOf(err)]).toEqual([over, [field]]);
  }
  // Limits are inclusive, and counted in characters (an emoji is one).
  const edge = berlin({
    recipient: '😀'.repeat(100),
    postalCode: 'SW1A 1AA-123'.slice(0, 12),
    lines: ['a', 'b', 'c'],
  });
  await expect(
    h.quoter.quoteShipping({ address: edge, items, currencyCode: '' }),
  ).resolves.toBeDefined();
  expect(
    await reasonOf(h.quoter.quoteShipping({ address: undefined, items, currencyCode: '' })),
  ).toEqual([status.INVALID_ARGUMENT, 'INVALID_ARGUMENT']);
});

test('item validation: 1-100 lines, distinct skus, quantities 1-1000', async () => {
  const bad = [
    { sku: 'MUG-1', quantity: 0 },
    { sku: 'MUG-1', quantity: 1 },
    { sku: '', quantity: 1001 },
  ];
  const e = await failure(
    h.quoter.quoteShipping({ address: berlin(), items: bad, currencyCode: '' }),
  );
  expect(fieldsOf(e)).toEqual([
    'items[0].quantity',
    'items[1].sku',
    'items[2].quantity',
    'items[2].sku',
  ]);
  const none = await failure(
    h.quoter.quoteShipping({ address: berlin(), items: [], currencyCode: '' }),
  );
  expect(fieldsOf(none)).toEqual(['items']);
  const many = Array.from({ length: 101 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }));
  expect(
    fieldsOf(
      await failure(h.quoter.quoteShipping({ address: berlin(), items: many, currencyCode: '' })),
    ),
  ).toEqual(['items']);
});
