import { toTimestamp } from './timestamp';

test.each([
  ['2026-12-05T11:00:00.123Z', { seconds: '1796468400', nanos: 123_000_000 }],
  ['1970-01-01T00:00:00.000Z', { seconds: '0', nanos: 0 }],
  ['1969-12-31T23:59:59.750Z', { seconds: '-1', nanos: 750_000_000 }],
])('%s -> %j', (iso, ts) => {
  expect(toTimestamp(new Date(iso))).toEqual(ts);
});
