import { requestFingerprint } from './fingerprint';
import type { ValidPlaceOrder } from './place-order.validation';

const base: ValidPlaceOrder = {
  requestId: 'r1',
  items: [
    { sku: 'A-1', quantity: 1 },
    { sku: 'B-1', quantity: 2 },
  ],
  shippingAddress: {
    recipient: 'Ada',
    lines: ['1 Road'],
    city: 'London',
    postalCode: 'N1',
    countryCode: 'GB',
  },
  paymentToken: 'tok_visa',
};

test('the order of the lines does not matter; everything else does', () => {
  const fp = requestFingerprint(base);
  expect(fp).toMatch(/^[0-9a-f]{64}$/);
  expect(requestFingerprint({ ...base, items: [...base.items].reverse() })).toBe(fp);
  const variants: ValidPlaceOrder[] = [
    {
      ...base,
      items: [
        { sku: 'A-1', quantity: 2 },
        { sku: 'B-1', quantity: 2 },
      ],
    },
    { ...base, items: [{ sku: 'A-1', quantity: 1 }] },
    { ...base, shippingAddress: { ...base.shippingAddress, lines: ['1 Road', ''] } },
    { ...base, shippingAddress: { ...base.shippingAddress, city: 'Londo', postalCode: 'nN1' } },
    { ...base, paymentToken: 'tok_decline' },
  ];
  for (const v of variants) expect(requestFingerprint(v)).not.toBe(fp);
});
