import fc from 'fast-check';
import { DomainError, SKU_RULE } from '@meshcart/kit';
import { decodePageToken, encodePageToken, validateBatch, validateListRequest } from './listing';

const failure = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a failure');
};

test('page size: 0 -> 20, capped at 100, negative refused', () => {
  expect(validateListRequest({ pageSize: 0, pageToken: '', category: '' }).limit).toBe(20);
  expect(validateListRequest({ pageSize: 1, pageToken: '', category: '' }).limit).toBe(1);
  expect(validateListRequest({ pageSize: 100_000, pageToken: '', category: '' }).limit).toBe(100);
  const e = failure(() => validateListRequest({ pageSize: -5, pageToken: '', category: '' }));
  expect([e.reason, e.violations.map((v) => v.field)]).toEqual(['INVALID_ARGUMENT', ['pageSize']]);
});

test('tokens round-trip and are bound to the category filter', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(SKU_RULE.pattern),
      fc.constantFrom('', 'kitchen', 'home-and-garden'),
      (afterSku, category) => {
        const token = encodePageToken({ afterSku, category });
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodePageToken(token)).toEqual({ afterSku, category });
        expect(validateListRequest({ pageSize: 0, pageToken: token, category }).afterSku).toBe(
          afterSku,
        );
        const other = category === 'kitchen' ? '' : 'kitchen';
        expect(
          failure(() => validateListRequest({ pageSize: 0, pageToken: token, category: other }))
            .reason,
        ).toBe('INVALID_PAGE_TOKEN');
      },
    ),
  );
});

test('arbitrary strings are never accepted as tokens unless they decode to a valid cursor', () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      const c = decodePageToken(s);
      if (c) expect(encodePageToken(c)).toBeDefined();
    }),
  );
  expect(decodePageToken(Buffer.from('[1,2]').toString('base64url'))).toBeUndefined();
  expect(decodePageToken(Buffer.from('null').toString('base64url'))).toBeUndefined();
  expect(
    decodePageToken(
      Buffer.from(JSON.stringify({ v: 1, after: 'ABC', category: 'Bad Cat' })).toString(
        'base64url',
      ),
    ),
  ).toBeUndefined();
});

test('a bad token and other bad fields are reported together under INVALID_PAGE_TOKEN', () => {
  const e = failure(() => validateListRequest({ pageSize: -1, pageToken: '!!', category: '' }));
  expect(e.reason).toBe('INVALID_PAGE_TOKEN');
  expect(e.violations.map((v) => v.field).sort()).toEqual(['pageSize', 'pageToken']);
});

test('batches: 1-100 distinct well-formed skus', () => {
  expect(validateBatch(['ABC', 'DEF'])).toEqual(['ABC', 'DEF']);
  expect(failure(() => validateBatch([])).violations.map((v) => v.field)).toEqual(['skus']);
  expect(
    failure(() => validateBatch(Array.from({ length: 101 }, (_, i) => `S-${i}00`))).violations.map(
      (v) => v.field,
    ),
  ).toEqual(['skus']);
  expect(failure(() => validateBatch(['ABC', 'x', 'ABC'])).violations.map((v) => v.field)).toEqual([
    'skus[1]',
    'skus[2]',
  ]);
});
