import { status } from '@grpc/grpc-js';
import { DomainError } from '../errors/domain-error';
import { ErrorReason } from '../errors/error-reason';
import * as mariadb from 'mariadb';
import { createDb } from '@meshcart/catalog/read-path';
import { freePort } from '../testkit/spawn-service';
import { mariadbConnectionConfig, mariadbPoolConfig } from './tls';
import { createTestDatabase } from './test-database';
import {
  classifyDbError,
  DB_ERROR_REASONS,
  DB_RETRY_DELAY_MS,
  dbErrno,
  mapDbError,
  prismaCode,
} from './db-errors';

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

describe('the errors drivers really throw', () => {
  const reasonOf = (e: unknown) => {
    const m = mapDbError(e);
    return m instanceof DomainError ? [status[m.code], m.reason, m.retryDelayMs] : 'unchanged';
  };
  const UNAVAILABLE = ['UNAVAILABLE', 'DB_UNAVAILABLE', DB_RETRY_DELAY_MS];
  let closedPort: number;

  beforeAll(async () => {
    closedPort = await freePort(); // nothing listens there
  });

  test('raw driver: refused connection and pool acquire timeout are UNAVAILABLE with RetryInfo', async () => {
    const url = `mysql://u:p@127.0.0.1:${closedPort}/nothing`;
    const refused = await mariadb
      .createConnection({ ...mariadbConnectionConfig(url), connectTimeout: 1_000 })
      .catch((e: unknown) => e);
    expect(reasonOf(refused)).toEqual(UNAVAILABLE);
    const pool = mariadb.createPool(
      mariadbPoolConfig(url, { acquireTimeoutMs: 300, connectionLimit: 1 }),
    );
    try {
      const timedOut = await pool.query('SELECT 1').catch((e: unknown) => e);
      expect((timedOut as { errno?: number }).errno).toBe(45028);
      expect(reasonOf(timedOut)).toEqual(UNAVAILABLE);
    } finally {
      await pool.end();
    }
  });

  test("Prisma over the MariaDB adapter (a service's own client): no server is UNAVAILABLE, a statement past the timeout DEADLINE_EXCEEDED", async () => {
    const down = createDb(`mysql://u:p@127.0.0.1:${closedPort}/nothing`, {
      acquireTimeoutMs: 300,
    });
    try {
      const e = await down.$queryRaw`SELECT 1`.catch((err: unknown) => err);
      expect((e as Error).name).toBe('PrismaClientKnownRequestError');
      expect(reasonOf(e)).toEqual(UNAVAILABLE);
    } finally {
      await down.$disconnect();
    }
    const db = await createTestDatabase('prisma_timeout');
    const slow = createDb(db.url, { statementTimeoutMs: 200 });
    try {
      const e = await slow.$queryRawUnsafe('SELECT SLEEP(3)').catch((err: unknown) => err);
      expect(dbErrno(e)).toBe(1969);
      expect(reasonOf(e)).toEqual(['DEADLINE_EXCEEDED', 'DB_UNAVAILABLE', undefined]);
      await expect(slow.$queryRawUnsafe('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    } finally {
      await slow.$disconnect();
      await db.drop();
    }
  });

  test('every outage shape maps the same: server codes, Prisma codes, adapter kinds, a bare DriverAdapterError', () => {
    const prisma = (code: string) =>
      Object.assign(new Error('x'), { name: 'PrismaClientKnownRequestError', code });
    for (const errno of [
      1040, 1053, 1290, 1836, 2006, 2013, 4031, 45004, 45009, 45028, 45042, 45061,
    ])
      expect([errno, reasonOf({ errno })]).toEqual([errno, UNAVAILABLE]);
    for (const code of ['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2037'])
      expect([code, reasonOf(prisma(code))]).toEqual([code, UNAVAILABLE]);
    const bare = Object.assign(new Error('x'), {
      name: 'DriverAdapterError',
      cause: { originalCode: '45009', kind: 'mysql' },
    });
    expect(reasonOf(bare)).toEqual(UNAVAILABLE);
    const kindOnly = Object.assign(new Error('x'), {
      name: 'DriverAdapterError',
      cause: { kind: 'DatabaseNotReachable' },
    });
    expect(reasonOf(kindOnly)).toEqual(UNAVAILABLE);
    expect(reasonOf({ errno: 3024 })).toEqual(['DEADLINE_EXCEEDED', 'DB_UNAVAILABLE', undefined]);
    expect(classifyDbError(wrapped(1969))).toBe('timeout');
  });
});
