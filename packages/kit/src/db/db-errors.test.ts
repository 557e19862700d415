import { status } from '@grpc/grpc-js';
import { DomainError } from '../errors/domain-error';
import { mapDbError, prismaCode } from './db-errors';

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
