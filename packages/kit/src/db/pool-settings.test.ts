/**
 * Statement timeout and acquire wait: env -> config -> URL parameters -> pool settings, and on a
 * real server (the shared MariaDB) a statement past the timeout is aborted by the server and
 * answers DEADLINE_EXCEEDED, while the pool's other connections keep working.
 */
import { status } from '@grpc/grpc-js';
import * as mariadb from 'mariadb';
import { ConfigError, loadConfig } from '../config/load-config';
import { DomainError } from '../errors/domain-error';
import { serviceConfigSpec } from '../server/service-config';
import { mapDbError } from './db-errors';
import {
  applyDatabasePoolSettings,
  databasePoolConfigSpec,
  DEFAULT_DB_POOL_SETTINGS,
  poolSettingsOf,
  statementTimeoutSql,
  withDatabasePoolSettings,
} from './pool-settings';
import { createTestDatabase, type TestDatabase } from './test-database';
import { mariadbPoolConfig } from './tls';

const URL_ = 'mysql://svc:pw@db.internal:3306/shop_catalog';

describe('settings', () => {
  const load = (env: Record<string, string>) => loadConfig(databasePoolConfigSpec(), { ...env });

  test('every service has the keys (serviceConfigSpec spreads them)', () => {
    expect(Object.keys(serviceConfigSpec('catalog'))).toEqual(
      expect.arrayContaining(Object.keys(databasePoolConfigSpec())),
    );
  });

  test('defaults: 15 s statements, 3 s acquire; env overrides; the chassis folds them into DATABASE_URL', () => {
    const c = load({});
    expect([c.dbStatementTimeoutMs, c.dbAcquireTimeoutMs]).toEqual([15_000, 3_000]);
    const folded = applyDatabasePoolSettings({
      ...load({ DB_STATEMENT_TIMEOUT_MS: '2s', DB_ACQUIRE_TIMEOUT_MS: '750ms' }),
      databaseUrl: URL_,
    });
    expect(poolSettingsOf(folded.databaseUrl)).toEqual({
      statementTimeoutMs: 2_000,
      acquireTimeoutMs: 750,
    });
    const pool = mariadbPoolConfig(folded.databaseUrl);
    expect(pool.acquireTimeout).toBe(750);
    expect(pool.connectTimeout).toBe(750);
    expect(pool.initSql).toEqual([statementTimeoutSql(2_000)]);
  });

  test('a URL that carries a setting keeps it; 0 turns the statement timeout off; code options win', () => {
    const url = `${URL_}?statement_timeout_ms=0`;
    const folded = withDatabasePoolSettings(url, DEFAULT_DB_POOL_SETTINGS);
    expect(poolSettingsOf(folded)).toEqual({ statementTimeoutMs: 0, acquireTimeoutMs: 3_000 });
    expect(mariadbPoolConfig(folded)).not.toHaveProperty('initSql');
    const own = mariadbPoolConfig(folded, { statementTimeoutMs: 500, initSql: ['SET @a = 1'] });
    expect(own.initSql).toEqual([statementTimeoutSql(500), 'SET @a = 1']);
    // Nothing in the URL: the kit defaults (a pool opened outside the chassis, e.g. by a test).
    expect(mariadbPoolConfig(URL_).acquireTimeout).toBe(DEFAULT_DB_POOL_SETTINGS.acquireTimeoutMs);
  });

  test('bad values are configuration errors, not silent defaults', () => {
    expect(() => applyDatabasePoolSettings({ databaseUrl: URL_, dbAcquireTimeoutMs: 0 })).toThrow(
      ConfigError,
    );
    expect(() => load({ DB_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
    expect(() => poolSettingsOf(`${URL_}?acquire_timeout_ms=-5`)).toThrow(/acquire_timeout_ms/);
    // A process without a database has nothing to fold.
    const none = { service: 'edge' };
    expect(applyDatabasePoolSettings(none)).toBe(none);
  });

  test('the statement runs the MariaDB part only on MariaDB (an executable comment)', () => {
    expect(statementTimeoutSql(1_500)).toBe(
      'SET @meshcart_statement_timeout_ms = 1500 /*M!100102 , SESSION max_statement_time = 1.500 */',
    );
    expect(statementTimeoutSql(0)).toBeUndefined();
  });
});

describe('on a real server', () => {
  let db: TestDatabase;
  let pool: mariadb.Pool;

  beforeAll(async () => {
    db = await createTestDatabase('stmt_timeout');
    pool = mariadb.createPool(
      mariadbPoolConfig(
        withDatabasePoolSettings(db.url, { statementTimeoutMs: 300, acquireTimeoutMs: 2_000 }),
        {
          connectionLimit: 2,
        },
      ),
    );
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  test('every pooled connection has the timeout; a statement past it is aborted by the server and answers DEADLINE_EXCEEDED', async () => {
    const [row] = await pool.query('SELECT @@max_statement_time AS t');
    expect(Number(row.t)).toBeCloseTo(0.3);
    const started = Date.now();
    const err = await pool.query('SELECT SLEEP(5)').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    // The driver's own error object, as a store would let it escape.
    expect((err as { errno?: number }).errno).toBe(1969);
    const mapped = mapDbError(err) as DomainError;
    expect(mapped).toBeInstanceOf(DomainError);
    expect([mapped.code, mapped.reason, mapped.metadata]).toEqual([
      status.DEADLINE_EXCEEDED,
      'DB_UNAVAILABLE',
      { db_failure: 'statement_timeout' },
    ]);
    // The connection survives: the next statement on the pool works.
    await expect(pool.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});
