/**
 * ISO 4217 currencies in circulation (2025) with their minor units (the exponent: JPY has 0,
 * KWD 3), so amounts in minor units can be shown and handed to a payment provider correctly.
 * Funds, precious metals, test codes and withdrawn codes (XAU, XTS, XXX, HRK, CUC, SLL, ZWL ...)
 * are deliberately absent: nobody prices or pays in them.
 */
import type { Violations } from '../errors/domain-error';

const CODES =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN ' +
  'BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS ' +
  'GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW ' +
  'KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD ' +
  'NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD ' +
  'SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED ' +
  'VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG';

/** Minor units per ISO 4217 where they are not 2. */
const ZERO_DECIMAL = new Set(
  'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF'.split(' '),
);
const THREE_DECIMAL = new Set('BHD IQD JOD KWD LYD OMR TND'.split(' '));

export interface Currency {
  /** Alphabetic code, upper case, e.g. "EUR". */
  code: string;
  /** Digits after the decimal point: the amount 1234 of KWD is 1.234 KWD, of JPY 1234 yen. */
  minorUnits: 0 | 2 | 3;
}

export const CURRENCIES: readonly Currency[] = CODES.split(' ').map((code) => ({
  code,
  minorUnits: ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2,
}));

const BY_CODE: ReadonlyMap<string, Currency> = new Map(CURRENCIES.map((c) => [c.code, c]));

export const CURRENCY_CODE_RULE = {
  pattern: /^[A-Z]{3}$/,
  description: 'an ISO 4217 code in circulation, upper case, e.g. "EUR"',
} as const;

/** True for a listed code in upper case, e.g. "EUR". */
export function isCurrencyCode(code: string): boolean {
  return BY_CODE.has(code);
}

/** Minor units of a listed currency (undefined for anything else). */
export function minorUnitsOf(code: string): number | undefined {
  return BY_CODE.get(code)?.minorUnits;
}

/** Adds a violation for a missing or unknown currency code; returns whether it is listed. */
export function checkCurrencyCode(v: Violations, field: string, code: string): boolean {
  if (code === '') v.add(field, 'is required');
  else if (!isCurrencyCode(code)) v.add(field, `must be ${CURRENCY_CODE_RULE.description}`);
  else return true;
  return false;
}
