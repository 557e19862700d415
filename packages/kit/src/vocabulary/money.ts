/**
 * Money bounds: amounts in minor units (int64 on the wire, a decimal string in JSON, bigint in
 * code, BIGINT in MySQL) and one ceiling for every amount, price and total.
 */
import type { Violations } from '../errors/domain-error';
import { checkCurrencyCode } from './currency';

/**
 * 9e15 minor units: far inside int64, and still exact when a JSON client turns the string into
 * a double (Number.MAX_SAFE_INTEGER is ~9.007e15). Prices, totals and payments share it, so
 * any total the catalog can price is an amount payments can charge.
 */
export const MAX_AMOUNT_MINOR = 9_000_000_000_000_000n;

export const AMOUNT_RULE = {
  pattern: /^\d{1,19}$/,
  minimum: 0,
  maximum: MAX_AMOUNT_MINOR.toString(),
  description: `an integer number of minor units, 0-${MAX_AMOUNT_MINOR}`,
} as const;

/** Whether a computed amount (a total) stays within the bound. */
export function fitsAmount(minor: bigint): boolean {
  return minor >= 0n && minor <= MAX_AMOUNT_MINOR;
}

/**
 * Parses an int64 string of minor units; adds a violation and returns undefined when it is not a
 * number, negative, zero where `positive` is asked for, or above MAX_AMOUNT_MINOR.
 */
export function checkAmountMinor(
  v: Violations,
  field: string,
  raw: string,
  opts: { positive?: boolean } = {},
): bigint | undefined {
  if (/^-\d+$/.test(raw)) return void v.add(field, 'must not be negative');
  if (!AMOUNT_RULE.pattern.test(raw))
    return void v.add(field, `must be ${AMOUNT_RULE.description}`);
  const minor = BigInt(raw);
  if (opts.positive && minor === 0n) return void v.add(field, 'must be positive');
  if (minor > MAX_AMOUNT_MINOR) return void v.add(field, `must be at most ${MAX_AMOUNT_MINOR}`);
  return minor;
}

/** The contract's shop.common.v1.Money (amount as an int64 string). */
export interface MoneyInput {
  currencyCode: string;
  amountMinor: string;
}

/** Checks a Money field (`field.currencyCode`, `field.amountMinor`); undefined when invalid. */
export function checkMoney(
  v: Violations,
  field: string,
  money: MoneyInput | undefined,
  opts: { positive?: boolean } = {},
): { currencyCode: string; amountMinor: bigint } | undefined {
  if (!money) return void v.add(field, 'is required');
  const currencyOk = checkCurrencyCode(v, `${field}.currencyCode`, money.currencyCode);
  const amountMinor = checkAmountMinor(v, `${field}.amountMinor`, money.amountMinor, opts);
  if (!currencyOk || amountMinor === undefined) return undefined;
  return { currencyCode: money.currencyCode, amountMinor };
}
