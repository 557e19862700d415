import fc from 'fast-check';
import { DomainError, Violations } from '@meshcart/kit';
import { sameAddress, validateAddAddress, validateAddress, type Address } from './address';

const base: Address = {
  recipient: 'Ada',
  lines: ['Main St 1'],
  city: 'Berlin',
  postalCode: '10115',
  countryCode: 'DE',
};

const fieldsOf = (a: Partial<Address>, requestId = 'r-1'): string[] => {
  try {
    validateAddAddress({ requestId, address: { ...base, ...a } });
    return [];
  } catch (e) {
    return (e as DomainError).violations.map((v) => v.field).sort();
  }
};

test.each<[string, Partial<Address>, string[]]>([
  ['valid', {}, []],
  ['three lines', { lines: ['a', 'b', 'c'] }, []],
  ['UK postcode', { postalCode: 'SW1A 1AA', countryCode: 'GB' }, []],
  ['dashed postcode', { postalCode: '00-950', countryCode: 'PL' }, []],
  ['postcode with symbols', { postalCode: '10115#' }, ['address.postalCode']],
  ['postcode ending in a dash', { postalCode: '10115-' }, ['address.postalCode']],
  ['postcode too long', { postalCode: '1234567890123' }, ['address.postalCode']],
  ['recipient of 101 chars', { recipient: 'r'.repeat(101) }, ['address.recipient']],
  ['line with a newline', { lines: ['a\nb'] }, ['address.lines[0]']],
  ['four lines', { lines: ['a', 'b', 'c', 'd'] }, ['address.lines']],
  ['country in lower case', { countryCode: 'de' }, ['address.countryCode']],
])('%s', (_name, a, expected) => {
  expect(fieldsOf(a)).toEqual(expected);
});

test('request id is 1-64 of [A-Za-z0-9_-]; a missing address is reported', () => {
  expect(fieldsOf({}, 'A_b-9'.repeat(12).slice(0, 64))).toEqual([]);
  expect(fieldsOf({}, 'x'.repeat(65))).toEqual(['requestId']);
  expect(fieldsOf({}, 'a.b')).toEqual(['requestId']);
  expect(() => validateAddAddress({ requestId: 'r', address: undefined })).toThrow(DomainError);
});

test('normalization trims texts, is idempotent, and sameAddress compares normalized forms', () => {
  const text = fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((s) => /^[\w .-]+$/.test(s) && s.trim() !== '');
  fc.assert(
    fc.property(
      text,
      fc.array(text, { minLength: 1, maxLength: 3 }),
      text,
      (recipient, lines, city) => {
        const v = new Violations();
        const once = validateAddress(v, 'address', {
          ...base,
          recipient: ` ${recipient} `,
          lines,
          city,
        });
        const twice = validateAddress(v, 'address', once);
        expect(v.size).toBe(0);
        expect(twice).toEqual(once);
        expect(sameAddress(once, twice)).toBe(true);
      },
    ),
  );
  expect(sameAddress(base, { ...base, lines: ['Main St 1', 'x'] })).toBe(false);
  expect(sameAddress(base, { ...base, countryCode: 'AT' })).toBe(false);
});
