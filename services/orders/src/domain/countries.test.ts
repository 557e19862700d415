import { ISO_COUNTRY_CODES, isCountryCode } from './countries';

test('holds exactly the 249 assigned ISO 3166-1 alpha-2 codes', () => {
  expect(ISO_COUNTRY_CODES.size).toBe(249);
  // Every code is one a locale database knows as a region (catches typos in the list).
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const unknown = [...ISO_COUNTRY_CODES].filter((c) => names.of(c) === c);
  expect(unknown).toEqual([]);
});

test('accepts real codes, refuses reserved, lower-case and made-up ones', () => {
  for (const c of ['DE', 'US', 'AQ', 'JP']) expect(isCountryCode(c)).toBe(true);
  for (const c of ['de', 'UK', 'EU', 'XK', 'ZZ', 'D', 'DEU', ''])
    expect(isCountryCode(c)).toBe(false);
});
