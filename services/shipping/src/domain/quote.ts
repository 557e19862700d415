/**
 * Shipping prices: deterministic, in EUR minor units. A base price per zone plus a price per
 * unit shipped (quantity summed over the lines). Only EUR is quoted for now.
 */
import { ErrorReason, errors } from '@meshcart/kit';
import { NOT_SERVED, zoneOf, type Zone } from './countries';

export const QUOTE_CURRENCY = 'EUR';

/** Cents: base per shipment, and per unit. */
export const TARIFF: Readonly<Record<Zone, { base: bigint; perUnit: bigint }>> = {
  DOMESTIC: { base: 490n, perUnit: 50n },
  EU: { base: 890n, perUnit: 100n },
  EUROPE: { base: 1490n, perUnit: 150n },
  WORLD: { base: 2490n, perUnit: 250n },
};

/** Fails FAILED_PRECONDITION DESTINATION_NOT_SERVED for countries the carrier does not reach. */
export function assertServed(country: string): void {
  if (NOT_SERVED.has(country)) {
    throw errors.failedPrecondition(ErrorReason.ERROR_REASON_DESTINATION_NOT_SERVED, {
      metadata: { countryCode: country },
    });
  }
}

/** Price of shipping these quantities to the country, in EUR minor units. */
export function quote(
  country: string,
  quantities: readonly number[],
): { currency: string; minor: bigint } {
  assertServed(country);
  const tariff = TARIFF[zoneOf(country)];
  const units = quantities.reduce((sum, q) => sum + BigInt(q), 0n);
  return { currency: QUOTE_CURRENCY, minor: tariff.base + tariff.perUnit * units };
}
