import { ProviderRejectedError } from '../../domain/payment-provider';
import { fromStripeAmount, stripeExponent, toStripeAmount } from './stripe-amount';

test("Stripe's exponents where they differ from ISO's, and exact round trips", () => {
  const cases: Array<[string, bigint, number]> = [
    ['EUR', 1999n, 1999],
    ['JPY', 500n, 500], // zero-decimal on both sides
    ['KWD', 1250n, 1250], // three-decimal, ends in 0
    ['ISK', 990n, 99000], // ISO 0, Stripe 2
    ['UGX', 5000n, 500000], // ISO 0, Stripe 2
    ['MGA', 12300n, 123], // ISO 2, Stripe 0
  ];
  for (const [currency, minor, amount] of cases) {
    expect(toStripeAmount({ currency, minor })).toEqual({
      amount,
      currency: currency.toLowerCase(),
    });
    expect(fromStripeAmount(amount, currency.toLowerCase())).toEqual({ currency, minor });
  }
  expect([stripeExponent('JPY'), stripeExponent('KWD'), stripeExponent('USD')]).toEqual([0, 3, 2]);
});

test('amounts Stripe cannot represent exactly are refused on the amount field, never rounded', () => {
  for (const m of [
    { currency: 'KWD', minor: 1255n },
    { currency: 'MGA', minor: 12345n },
    { currency: 'EUR', minor: BigInt(Number.MAX_SAFE_INTEGER) + 1n },
  ]) {
    const e = (() => {
      try {
        toStripeAmount(m);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ProviderRejectedError);
    expect((e as ProviderRejectedError).field).toBe('amount.amountMinor');
  }
  expect(() => toStripeAmount({ currency: 'XTS', minor: 1n })).toThrow(ProviderRejectedError);
});
