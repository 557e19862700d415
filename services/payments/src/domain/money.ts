/**
 * Money in minor units: bigint in code, BIGINT in the database, a decimal string on the wire.
 * Its rules (listed currencies, 1-MAX_AMOUNT_MINOR) are the kit vocabulary's, checked in grpc/.
 */
export interface Money {
  /** ISO 4217, upper case. */
  currency: string;
  /** Minor units (cents); never negative. */
  minor: bigint;
}

export function sameMoney(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.minor === b.minor;
}
