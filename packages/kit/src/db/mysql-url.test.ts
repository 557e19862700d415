import { formatMysqlUrl, parseMysqlUrl, redactUrl, withDatabase } from './mysql-url';

describe('mysql-url', () => {
  it('parses user, password, host, port, database and params', () => {
    expect(parseMysqlUrl('mysql://app:s3cret@db.local:3307/shop_orders?connectionLimit=5')).toEqual(
      {
        user: 'app',
        password: 's3cret',
        host: 'db.local',
        port: 3307,
        database: 'shop_orders',
        params: { connectionLimit: '5' },
      },
    );
  });

  it('defaults the port, accepts mariadb:// and server-level URLs', () => {
    const p = parseMysqlUrl('mariadb://root@127.0.0.1/');
    expect(p).toMatchObject({ user: 'root', password: '', port: 3306, database: '' });
  });

  it('round-trips passwords with URL-special characters', () => {
    const parts = {
      user: 'u',
      password: 'p@ss:w/rd?#%',
      host: '::1',
      port: 3307,
      database: 'shop_x',
      params: {},
    };
    expect(parseMysqlUrl(formatMysqlUrl(parts))).toEqual(parts);
  });

  it('switches database, keeping credentials', () => {
    expect(parseMysqlUrl(withDatabase('mysql://a:b@h:1/', 'shop_y'))).toMatchObject({
      user: 'a',
      password: 'b',
      database: 'shop_y',
    });
  });

  it('redacts the password, including an unencoded @ inside it', () => {
    expect(redactUrl('mysql://app:s3cret@h:1/db')).toBe('mysql://app:***@h:1/db');
    expect(redactUrl('mysql://app:p@ss@h:1/db')).not.toContain('ss@');
    expect(redactUrl('mysql://h:1/db')).toBe('mysql://h:1/db');
  });

  it('never echoes the password when the URL is rejected', () => {
    expect(() => parseMysqlUrl('postgres://app:s3cret@h/db')).toThrow(/scheme/);
    expect(() => parseMysqlUrl('postgres://app:s3cret@h/db')).not.toThrow(/s3cret/);
  });
});
