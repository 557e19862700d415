import fc from 'fast-check';
import { DomainError } from '@meshcart/kit';
import { decodePageToken, encodePageToken, pageSizeOf } from './page-token';

test('property: a token decodes to the cursor it was made from', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4102444800000 }), fc.uuid(), (ms, id) => {
      expect(decodePageToken(encodePageToken({ createTime: new Date(ms), id }))).toEqual({
        createTime: new Date(ms),
        id,
      });
    }),
  );
});

test('empty is the first page; anything else foreign is a pageToken violation', () => {
  expect(decodePageToken('')).toBeUndefined();
  for (const t of [
    '%%%',
    'bm90IGpzb24',
    Buffer.from('{"v":1,"t":"x","i":"a"}').toString('base64url'),
    Buffer.from('null').toString('base64url'),
  ]) {
    expect(() => decodePageToken(t)).toThrow(DomainError);
  }
});

test('page size: 0 means 20, at most 100, never negative', () => {
  expect([0, 1, 100, 101, 5000].map(pageSizeOf)).toEqual([20, 1, 100, 100, 100]);
  expect(() => pageSizeOf(-1)).toThrow(DomainError);
});
