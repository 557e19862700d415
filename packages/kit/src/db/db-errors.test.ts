import { status } from '@grpc/grpc-js';
import { DomainError } from '../errors/domain-error';
import { ErrorReason } from '../errors/error-reason';
import { classifyDbError, DB_ERROR_REASONS, mapDbError, prismaCode } from './db-errors';

const wrapped = (code: number) => ({
  meta: { driverAdapterError: { cause: { originalCode: String(code) } } },
});

test('deadlocks and lock wait timeouts are ABORTED, a gone server UNAVAILABLE, a duplicate ALREADY_EXISTS, the rest untouched', () => {
  const codeOf = (e: unknown) => {
    const m = mapDbError(e);
    return m instanceof DomainError ? [m.code, m.reason] : 'unchanged';
  };
  expect(codeOf({ errno: 1213 })).toEqual([status.ABORTED, 'DB_CONFLICT']);
  expect(codeOf(wrapped(1205))).toEqual([status.ABORTED, 'DB_CONFLICT']);
  expect(codeOf({ errno: 2013 })).toEqual([status.UNAVAILABLE, 'DB_UNAVAILABLE']);
  expect(codeOf({ errno: 1927 })).toEqual([status.UNAVAILABLE, 'DB_UNAVAILABLE']);
  expect(codeOf({ errno: 45009, fatal: true })).toEqual([status.UNAVAILABLE, 'DB_UNAVAILABLE']);
  expect(codeOf({ errno: 1, fatal: true })).toEqual([status.UNAVAILABLE, 'DB_UNAVAILABLE']);
  expect(codeOf(wrapped(1062))).toEqual([status.ALREADY_EXISTS, 'DB_DUPLICATE_KEY']);
  expect(codeOf({ errno: 1048 })).toBe('unchanged');
  expect(codeOf(new Error('boom'))).toBe('unchanged');
});

test('Prisma errors are recognised by name, whichever generated client threw them', () => {
  const known = Object.assign(new Error('x'), {
    name: 'PrismaClientKnownRequestError',
    code: 'P2034',
  });
  expect(prismaCode(known)).toBe('P2034');
  expect((mapDbError(known) as DomainError).reason).toBe('DB_CONFLICT');
  const pool = Object.assign(new Error('x'), {
    name: 'PrismaClientKnownRequestError',
    code: 'P2024',
  });
  expect((mapDbError(pool) as DomainError).reason).toBe('DB_UNAVAILABLE');
  const init = Object.assign(new Error('x'), { name: 'PrismaClientInitializationError' });
  expect((mapDbError(init) as DomainError).reason).toBe('DB_UNAVAILABLE');
  expect(prismaCode(Object.assign(new Error('x'), { code: 'P2002' }))).toBeUndefined();
});

test('a service may keep its own reasons; the codes stay those of the one mapping', () => {
  const reasons = { ...DB_ERROR_REASONS, conflict: ErrorReason.ERROR_REASON_TRANSACTION_CONFLICT };
  const m = mapDbError({ errno: 1213 }, reasons) as DomainError;
  expect([m.code, m.reason]).toEqual([status.ABORTED, 'TRANSACTION_CONFLICT']);
  expect(classifyDbError(m)).toBeUndefined();
});
