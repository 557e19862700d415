/**
 * Our amounts (ISO 4217 minor units, the kit vocabulary's exponents) -> Stripe's `amount` field.
 *
 * Stripe wants "the smallest currency unit" but its exponent is not always ISO's: ISK and UGX are
 * zero-decimal in ISO and two-decimal at Stripe (amounts a multiple of 100), MGA the other way
 * round, and three-decimal currencies (KWD, BHD, JOD, OMR, TND) must end in 0 (Stripe settles
 * whole hundredths). Anything that cannot be represented exactly is refused before the call
 * (INVALID_ARGUMENT on the amount), never rounded: rounding money silently is a bug.
 */
import { minorUnitsOf } from '@meshcart/kit';
import type { Money } from '../../domain/money';
import { ProviderRejectedError } from '../../domain/payment-provider';

/** Stripe's exponent where it differs from 2 (https://docs.stripe.com/currencies). */
const STRIPE_ZERO_DECIMAL = new Set(
  'BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF'.split(' '),
);
const STRIPE_THREE_DECIMAL = new Set('BHD JOD KWD OMR TND'.split(' '));

export function stripeExponent(currency: string): number {
  if (STRIPE_ZERO_DECIMAL.has(currency)) return 0;
  if (STRIPE_THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

const AMOUNT_FIELD = 'amount.amountMinor';

/** { amount, currency } as Stripe takes them; throws ProviderRejectedError when not exact. */
export function toStripeAmount(money: Money): { amount: number; currency: string } {
  const iso = minorUnitsOf(money.currency);
  if (iso === undefined)
    throw new ProviderRejectedError(
      `currency ${money.currency} is not supported`,
      'amount.currencyCode',
    );
  const shift = stripeExponent(money.currency) - iso;
  let amount: bigint;
  if (shift >= 0) amount = money.minor * 10n ** BigInt(shift);
  else {
    const unit = 10n ** BigInt(-shift);
    if (money.minor % unit !== 0n)
      throw new ProviderRejectedError(
        `${money.currency} amounts must be a multiple of ${unit} minor units at this provider`,
        AMOUNT_FIELD,
      );
    amount = money.minor / unit;
  }
  if (STRIPE_THREE_DECIMAL.has(money.currency) && amount % 10n !== 0n)
    throw new ProviderRejectedError(
      `${money.currency} amounts must be a multiple of 10 minor units at this provider`,
      AMOUNT_FIELD,
    );
  if (amount > BigInt(Number.MAX_SAFE_INTEGER))
    throw new ProviderRejectedError('amount is too large for this provider', AMOUNT_FIELD);
  return { amount: Number(amount), currency: money.currency.toLowerCase() };
}

/** Stripe's amount back in our minor units (webhooks and look-ups compare against the ledger). */
export function fromStripeAmount(amount: number, currency: string): Money {
  const code = currency.toUpperCase();
  const iso = minorUnitsOf(code) ?? 2;
  const shift = stripeExponent(code) - iso;
  const n = BigInt(amount);
  return {
    currency: code,
    minor: shift >= 0 ? n / 10n ** BigInt(shift) : n * 10n ** BigInt(-shift),
  };
}
