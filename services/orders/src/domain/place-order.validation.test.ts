import { DomainError } from '@meshcart/kit';
import { validatePlaceOrder, type PlaceOrderCommand } from './place-order.validation';

const valid = (): PlaceOrderCommand => ({
  requestId: 'req_1-A',
  items: [{ sku: 'MUG-1', quantity: 1 }],
  shippingAddress: {
    recipient: ' Ada ',
    lines: [' 1 Road '],
    city: 'London ',
    postalCode: 'SW1Y 4JH',
    countryCode: 'GB',
  },
  paymentToken: 'tok_visa',
});

/** Field paths of the violations a command gets ([] when valid). */
function fields(change: (c: PlaceOrderCommand) => void): string[] {
  const cmd = valid();
  change(cmd);
  try {
    validatePlaceOrder(cmd);
    return [];
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return e.violations.map((v) => v.field);
  }
}

test('a valid request passes, with address text trimmed', () => {
  expect(validatePlaceOrder(valid()).shippingAddress).toEqual({
    recipient: 'Ada',
    lines: ['1 Road'],
    city: 'London',
    postalCode: 'SW1Y 4JH',
    countryCode: 'GB',
  });
});

test.each([
  ['requestId of 64', (c: PlaceOrderCommand) => void (c.requestId = 'a'.repeat(64)), []],
  ['requestId of 65', (c: PlaceOrderCommand) => void (c.requestId = 'a'.repeat(65)), ['requestId']],
  ['empty requestId', (c: PlaceOrderCommand) => void (c.requestId = ''), ['requestId']],
  ['quantity 1000', (c: PlaceOrderCommand) => void (c.items[0]!.quantity = 1000), []],
  [
    'quantity 1001',
    (c: PlaceOrderCommand) => void (c.items[0]!.quantity = 1001),
    ['items[0].quantity'],
  ],
  ['quantity 0', (c: PlaceOrderCommand) => void (c.items[0]!.quantity = 0), ['items[0].quantity']],
  [
    'negative quantity',
    (c: PlaceOrderCommand) => void (c.items[0]!.quantity = -3),
    ['items[0].quantity'],
  ],
  [
    '100 lines',
    (c: PlaceOrderCommand) =>
      void (c.items = Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }))),
    [],
  ],
  [
    '101 lines',
    (c: PlaceOrderCommand) =>
      void (c.items = Array.from({ length: 101 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 0 }))),
    ['items'],
  ],
  ['no lines', (c: PlaceOrderCommand) => void (c.items = []), ['items']],
  [
    'duplicate sku',
    (c: PlaceOrderCommand) => void c.items.push({ sku: 'MUG-1', quantity: 2 }),
    ['items[1].sku'],
  ],
  ['lower-case sku', (c: PlaceOrderCommand) => void (c.items[0]!.sku = 'mug-1'), ['items[0].sku']],
  ['sku too short', (c: PlaceOrderCommand) => void (c.items[0]!.sku = 'AB'), ['items[0].sku']],
  [
    'sku starting with a dash',
    (c: PlaceOrderCommand) => void (c.items[0]!.sku = '-MUG'),
    ['items[0].sku'],
  ],
  [
    'no address',
    (c: PlaceOrderCommand) => void (c.shippingAddress = undefined),
    ['shippingAddress'],
  ],
  [
    'blank recipient',
    (c: PlaceOrderCommand) => void (c.shippingAddress!.recipient = '  '),
    ['shippingAddress.recipient'],
  ],
  [
    'no lines',
    (c: PlaceOrderCommand) => void (c.shippingAddress!.lines = []),
    ['shippingAddress.lines'],
  ],
  [
    '4 lines',
    (c: PlaceOrderCommand) => void (c.shippingAddress!.lines = ['a', 'b', 'c', 'd']),
    ['shippingAddress.lines'],
  ],
  [
    'a line of 101',
    (c: PlaceOrderCommand) => void (c.shippingAddress!.lines = ['a', 'é'.repeat(101)]),
    ['shippingAddress.lines[1]'],
  ],
  [
    '100 emoji are 100 characters',
    (c: PlaceOrderCommand) => void (c.shippingAddress!.recipient = '📦'.repeat(100)),
    [],
  ],
  [
    'blank city',
    (c: PlaceOrderCommand) => void (c.shippingAddress!.city = ''),
    ['shippingAddress.city'],
  ],
  [
    'postal code with a dot',
    (c: PlaceOrderCommand) => void (c.shippingAddress!.postalCode = '1.234'),
    ['shippingAddress.postalCode'],
  ],
  [
    'postal code of 13',
    (c: PlaceOrderCommand) => void (c.shippingAddress!.postalCode = '1234567890123'),
    ['shippingAddress.postalCode'],
  ],
  [
    'country UK (not ISO)',
    (c: PlaceOrderCommand) => void (c.shippingAddress!.countryCode = 'UK'),
    ['shippingAddress.countryCode'],
  ],
  [
    'country lower case',
    (c: PlaceOrderCommand) => void (c.shippingAddress!.countryCode = 'gb'),
    ['shippingAddress.countryCode'],
  ],
  ['empty payment token', (c: PlaceOrderCommand) => void (c.paymentToken = ''), ['paymentToken']],
  [
    'payment token of 65',
    (c: PlaceOrderCommand) => void (c.paymentToken = 't'.repeat(65)),
    ['paymentToken'],
  ],
  [
    'payment token with a dash',
    (c: PlaceOrderCommand) => void (c.paymentToken = 'tok-visa'),
    ['paymentToken'],
  ],
])('%s', (_name, change, expected) => {
  expect(fields(change)).toEqual(expected);
});
