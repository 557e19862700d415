/** Money in minor units: bigint in code, BIGINT in the database, a decimal string on the wire. */
import { isCurrency } from './currencies';

export interface Money {
  /** ISO 4217, upper case. */
  currency: string;
  /** Minor units (cents); never negative. */
  minor: bigint;
}

/**
 * Largest amount we accept: 9e15 minor units. Far inside int64, and still exact if some
 * client (JSON, JavaScript) turns the string into a double on the way.
 */
export const MAX_AMOUNT_MINOR = 9_000_000_000_000_000n;

/** Parses a positive amount of minor units; returns a description of what is wrong instead. */
export function parsePositiveMinor(raw: string): bigint | { problem: string } {
  if (!/^\d{1,19}$/.test(raw))
    return { problem: 'must be a positive integer number of minor units' };
  const minor = BigInt(raw);
  if (minor <= 0n) return { problem: 'must be positive' };
  if (minor > MAX_AMOUNT_MINOR) return { problem: `must be at most ${MAX_AMOUNT_MINOR}` };
  return minor;
}

/** Why a currency code is refused, or undefined when it is fine. */
export function currencyProblem(code: string): string | undefined {
  if (!/^[A-Z]{3}$/.test(code)) return 'must be an ISO 4217 code of 3 upper-case letters';
  if (!isCurrency(code)) return 'is not a known ISO 4217 currency';
  return undefined;
}

export function sameMoney(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.minor === b.minor;
}
