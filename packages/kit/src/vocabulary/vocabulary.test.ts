import { Violations } from '../errors/domain-error';
import {
  checkAddress,
  checkAmountMinor,
  checkLine,
  checkParagraph,
  COUNTRY_CODES,
  CURRENCIES,
  isCountryCode,
  isCurrencyCode,
  isId,
  isPostalCode,
  isSku,
  MAX_AMOUNT_MINOR,
  minorUnitsOf,
  VOCABULARY,
} from './index';

const fields = (check: (v: Violations) => unknown): string[] => {
  const v = new Violations();
  check(v);
  try {
    v.throwIfAny();
    return [];
  } catch (e) {
    return (e as { violations: { field: string }[] }).violations.map((x) => x.field);
  }
};

test.each([
  ['ABC', true],
  ['KIT-MUG-001', true],
  ['A'.repeat(32), true],
  ['AB', false],
  ['A'.repeat(33), false],
  ['-AB', false],
  ['mug-1', false],
  ['MUG.1', false],
  ['MUG_1', false],
])('sku %j: %s', (sku, ok) => expect(isSku(sku)).toBe(ok));

test.each([
  ['a', true],
  ['order_1-A', true],
  ['x'.repeat(64), true],
  ['x'.repeat(65), false],
  ['', false],
  ['a.b', false],
])('id %j: %s', (id, ok) => expect(isId(id)).toBe(ok));

test('amounts: 0-9e15 (positive where asked), integers only', () => {
  expect(MAX_AMOUNT_MINOR).toBe(9_000_000_000_000_000n);
  expect(MAX_AMOUNT_MINOR <= BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  const v = new Violations();
  expect(checkAmountMinor(v, 'a', '0')).toBe(0n);
  expect(checkAmountMinor(v, 'a', '9000000000000000', { positive: true })).toBe(MAX_AMOUNT_MINOR);
  expect(v.size).toBe(0);
  for (const bad of ['-1', '1.5', '1e3', '', ' 1', '0x10', '9000000000000001', '1'.repeat(20)])
    expect(fields((w) => checkAmountMinor(w, 'a', bad))).toEqual(['a']);
  expect(fields((w) => checkAmountMinor(w, 'a', '0', { positive: true }))).toEqual(['a']);
});

test('currencies: circulating ISO 4217 codes ICU knows, with their minor units', () => {
  const icu = new Set(Intl.supportedValuesOf('currency'));
  // VED (2021) is newer than some ICU builds.
  expect(CURRENCIES.map((c) => c.code).filter((c) => !icu.has(c) && c !== 'VED')).toEqual([]);
  for (const c of ['EUR', 'USD', 'JPY', 'KWD', 'ZWG', 'SLE']) expect(isCurrencyCode(c)).toBe(true);
  for (const c of ['eur', 'EURO', 'XAU', 'XXX', 'HRK', 'CUC', 'SLL', 'ZWL', ''])
    expect(isCurrencyCode(c)).toBe(false);
  expect([minorUnitsOf('EUR'), minorUnitsOf('JPY'), minorUnitsOf('KWD')]).toEqual([2, 0, 3]);
  // The exponent agrees with ICU wherever ICU has the ISO value (ICU rounds some, e.g. IQD, HUF).
  const icuDigits = (code: string) =>
    new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits;
  for (const c of ['USD', 'JPY', 'KRW', 'BHD', 'KWD', 'OMR', 'TND', 'CLP', 'XOF'])
    expect(minorUnitsOf(c)).toBe(icuDigits(c));
});

test('countries: the 249 assigned ISO 3166-1 alpha-2 codes, each one ICU can name', () => {
  expect(COUNTRY_CODES).toHaveLength(249);
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  for (const c of COUNTRY_CODES) expect(names.of(c)).not.toBe(c);
  for (const c of ['UK', 'XK', 'EU', 'de', 'DEU', '']) expect(isCountryCode(c)).toBe(false);
});

test.each([
  ['10115', true],
  ['SW1A 1AA', true],
  ['00-950', true],
  ['101', true],
  ['12', false],
  ['10115-', false],
  ['1.234', false],
  ['1234567890123', false],
])('postal code %j: %s', (code, ok) => expect(isPostalCode(code)).toBe(ok));

test('text: lines are trimmed and refuse every control character; paragraphs keep line breaks', () => {
  const v = new Violations();
  expect(checkLine(v, 'f', '  Ada ', 100)).toBe('Ada');
  expect(checkParagraph(v, 'f', 'a\r\n\tb', 10)).toBe('a\r\n\tb');
  expect(v.size).toBe(0);
  for (const bad of ['a\nb', 'a\u0000b', 'a\u007fb', '', '  ', 'é'.repeat(11)])
    expect(fields((w) => checkLine(w, 'f', bad, 10))).toEqual(['f']);
  expect(fields((w) => checkLine(w, 'f', '📦'.repeat(10), 10))).toEqual([]);
  expect(fields((w) => checkParagraph(w, 'f', 'a\u0007', 10))).toEqual(['f']);
});

test('address: every field checked under the prefix, normalized on the way', () => {
  const ok = {
    recipient: ' Ada ',
    lines: ['1 Road '],
    city: 'Berlin',
    postalCode: ' 10115 ',
    countryCode: 'DE',
  };
  const v = new Violations();
  expect(checkAddress(v, 'address', ok)).toEqual({
    ...ok,
    recipient: 'Ada',
    lines: ['1 Road'],
    postalCode: '10115',
  });
  expect(v.size).toBe(0);
  const bad = { recipient: '', lines: [], city: 'a\tb', postalCode: '1', countryCode: 'XX' };
  expect(fields((w) => checkAddress(w, 'p', bad)).sort()).toEqual([
    'p.city',
    'p.countryCode',
    'p.lines',
    'p.postalCode',
    'p.recipient',
  ]);
});

test('every rule is plain data (for the OpenAPI document)', () => {
  const data = JSON.parse(JSON.stringify(VOCABULARY));
  expect(new RegExp(data.sku.pattern).test('MUG-1')).toBe(true);
  expect(data.amountMinor.maximum).toBe('9000000000000000');
  expect(data.currencies).toContainEqual({ code: 'JPY', minorUnits: 0 });
  expect(data.countryCodes).toContain('DE');
  expect(data.postalCode.maxLength).toBe(12);
});
