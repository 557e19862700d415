/** Integration: runs against the project MariaDB (scripts/mariadb.sh start), each test in its own databases. */
import { randomBytes } from 'node:crypto';
import { withConnection } from './connection';
import { parseMysqlUrl } from './mysql-url';
import { dropDatabase, provisionDatabase, serviceDatabaseUrl } from './provision';
import { createTestDatabase, resolveAdminUrl, type TestDatabase } from './test-database';

const created: TestDatabase[] = [];
const fresh = async (prefix: string): Promise<TestDatabase> => {
  const db = await createTestDatabase(prefix);
  created.push(db);
  return db;
};
afterAll(async () => {
  await Promise.all(created.map((db) => db.drop()));
});

/** Resolves to the driver error code of `fn`, or 'ok'. */
const errorCode = (fn: () => Promise<unknown>): Promise<string> =>
  fn().then(
    () => 'ok',
    (err: { code?: string; cause?: { code?: string } }) => err.cause?.code ?? err.code ?? 'unknown',
  );

describe('provisionDatabase', () => {
  it('is idempotent and a re-run rotates the password', async () => {
    const db = await fresh('prov_idem');
    const again = { adminUrl: db.adminUrl, database: db.database, user: db.user };
    await provisionDatabase({ ...again, password: 'first-password' });
    await provisionDatabase({ ...again, password: 'second-password' });
    const url = (password: string) =>
      serviceDatabaseUrl(db.adminUrl, { database: db.database, user: db.user, password });

    await withConnection(url('second-password'), async (conn) => {
      await conn.query('CREATE TABLE t (id INT PRIMARY KEY)');
      await conn.query('INSERT INTO t VALUES (1)');
    });
    expect(
      await errorCode(() => withConnection(url('first-password'), async () => undefined)),
    ).toBe('ER_ACCESS_DENIED_ERROR');
  });

  it('grants ALL on its own database and nothing global', async () => {
    const db = await fresh('prov_grants');
    const grants = await withConnection(
      db.url,
      async (conn) => (await conn.query('SHOW GRANTS')) as Array<Record<string, string>>,
    );
    const lines = grants.flatMap((row) => Object.values(row));
    expect(lines).toHaveLength(2);
    expect(lines.filter((g) => g.startsWith('GRANT USAGE ON *.*'))).toHaveLength(1);
    expect(
      lines.filter((g) => g.startsWith('GRANT ALL PRIVILEGES ON `') && g.includes('.* TO')),
    ).toHaveLength(1);
  });

  it('keeps a service user out of another database', async () => {
    const mine = await fresh('prov_mine');
    const theirs = await fresh('prov_theirs');
    await withConnection(theirs.url, async (conn) => {
      await conn.query('CREATE TABLE secrets (v VARCHAR(10))');
      await conn.query("INSERT INTO secrets VALUES ('x')");
    });
    expect(
      await errorCode(() =>
        withConnection(mine.url, (c) => c.query(`SELECT * FROM \`${theirs.database}\`.secrets`)),
      ),
    ).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(
      await errorCode(() => withConnection(mine.url, (c) => c.query(`USE \`${theirs.database}\``))),
    ).toBe('ER_DBACCESS_DENIED_ERROR');
    // Connecting straight to the other database is refused too.
    const foreign = serviceDatabaseUrl(mine.adminUrl, {
      ...parseMysqlUrl(mine.url),
      database: theirs.database,
    });
    expect(await errorCode(() => withConnection(foreign, async () => undefined))).toBe(
      'ER_DBACCESS_DENIED_ERROR',
    );
  });

  it('rejects identifiers that could inject SQL, before touching the server', async () => {
    const adminUrl = resolveAdminUrl();
    await expect(
      provisionDatabase({
        adminUrl,
        database: 'x`; DROP DATABASE mysql; --',
        user: 'u_ok',
        password: 'p',
      }),
    ).rejects.toThrow(/database/);
    await expect(
      provisionDatabase({ adminUrl, database: 'shop_ok', user: "u'@'%", password: 'p' }),
    ).rejects.toThrow(/user/);
    await expect(
      provisionDatabase({ adminUrl, database: 'Shop', user: 'u_ok', password: 'p' }),
    ).rejects.toThrow(/database/);
    await expect(dropDatabase({ adminUrl, database: 'a-b' })).rejects.toThrow(/database/);
  });

  it('accepts passwords with quotes and backslashes', async () => {
    const db = await fresh('prov_pw');
    const password = `it's "odd" \\ ${randomBytes(4).toString('hex')}`;
    await provisionDatabase({
      adminUrl: db.adminUrl,
      database: db.database,
      user: db.user,
      password,
    });
    const url = serviceDatabaseUrl(db.adminUrl, { database: db.database, user: db.user, password });
    expect(
      await withConnection(url, async (c) => (await c.query('SELECT 1 AS one')) as unknown),
    ).toEqual([{ one: 1 }]);
  });
});

describe('dropDatabase', () => {
  it('removes the database and its user, and tolerates a second call', async () => {
    const db = await createTestDatabase('prov_drop');
    await db.drop();
    await dropDatabase({ adminUrl: db.adminUrl, database: db.database, user: db.user });
    // The user is gone: MariaDB refuses the login (1045, or 1698 when its fake auth exchange for
    // an unknown user ends with an empty password: it varies between runs).
    expect(['ER_ACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR']).toContain(
      await errorCode(() => withConnection(db.url, async () => undefined)),
    );
    const rows = await withConnection(
      db.adminUrl,
      async (c) => (await c.query('SHOW DATABASES LIKE ?', [db.database])) as unknown[],
    );
    expect(rows).toHaveLength(0);
  });
});

describe('serviceDatabaseUrl', () => {
  it('keeps host and port of the admin URL and swaps credentials and database', () => {
    const url = serviceDatabaseUrl('mysql://root:pw@db.internal:3310/', {
      database: 'shop_orders',
      user: 'orders_svc',
      password: 'p@ss/w',
    });
    expect(parseMysqlUrl(url)).toMatchObject({
      host: 'db.internal',
      port: 3310,
      user: 'orders_svc',
      password: 'p@ss/w',
      database: 'shop_orders',
    });
  });
});
