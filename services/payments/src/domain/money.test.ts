import { CURRENCIES } from './currencies';
import { currencyProblem, MAX_AMOUNT_MINOR, parsePositiveMinor } from './money';

test('amounts: positive integers up to 9e15, nothing else', () => {
  expect(parsePositiveMinor('1')).toBe(1n);
  expect(parsePositiveMinor('9000000000000000')).toBe(MAX_AMOUNT_MINOR);
  for (const bad of [
    '0',
    '-5',
    '1.5',
    '1e3',
    '',
    ' 1',
    '0x10',
    '9000000000000001',
    '99999999999999999999',
  ]) {
    expect(parsePositiveMinor(bad)).toEqual({ problem: expect.any(String) });
  }
});

test('currencies: ISO 4217 circulating codes only', () => {
  expect(currencyProblem('EUR')).toBeUndefined();
  expect(currencyProblem('JPY')).toBeUndefined();
  for (const bad of ['eur', 'EU', 'EURO', 'ABC', 'XAU', 'XXX', ''])
    expect(currencyProblem(bad)).toBeDefined();
  // Every code is one ICU knows as a currency too (guards against typos in the list).
  const icu = new Set(Intl.supportedValuesOf('currency'));
  expect([...CURRENCIES].filter((c) => !icu.has(c) && c !== 'VED')).toEqual([]);
});
