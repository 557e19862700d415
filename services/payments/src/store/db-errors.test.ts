import { status } from '@grpc/grpc-js';
import { DomainError } from '@meshcart/kit';
import { mapDbError } from './db-errors';

const wrapped = (code: number) => ({
  meta: { driverAdapterError: { cause: { originalCode: String(code) } } },
});

test('deadlocks and lock wait timeouts are ABORTED, a gone server UNAVAILABLE, the rest untouched', () => {
  const codeOf = (e: unknown) => {
    const m = mapDbError(e);
    return m instanceof DomainError ? [m.code, m.reason] : 'unchanged';
  };
  expect(codeOf({ errno: 1213 })).toEqual([status.ABORTED, 'DB_CONFLICT']);
  expect(codeOf(wrapped(1205))).toEqual([status.ABORTED, 'DB_CONFLICT']);
  expect(codeOf({ errno: 2013 })).toEqual([status.UNAVAILABLE, 'DB_UNAVAILABLE']);
  expect(codeOf(wrapped(1062))).toBe('unchanged');
  expect(codeOf(new Error('boom'))).toBe('unchanged');
});
