import { IDENTIFIER } from './connection';
import { parseMysqlUrl } from './mysql-url';
import {
  createTestDatabase,
  DEFAULT_ADMIN_URL,
  resolveAdminUrl,
  testNameAgeSeconds,
} from './test-database';

describe('resolveAdminUrl', () => {
  it('prefers MESHCART_MYSQL_ADMIN_URL, then MYSQL_URL, then the local default', () => {
    expect(
      resolveAdminUrl({ MESHCART_MYSQL_ADMIN_URL: 'mysql://a@h/', MYSQL_URL: 'mysql://b@h/' }),
    ).toBe('mysql://a@h/');
    expect(resolveAdminUrl({ MYSQL_URL: 'mysql://b@h/' })).toBe('mysql://b@h/');
    expect(resolveAdminUrl({})).toBe(DEFAULT_ADMIN_URL);
  });
});

describe('createTestDatabase', () => {
  it('makes unique, valid, recent names and a URL for its own user', async () => {
    const [a, b] = await Promise.all([
      createTestDatabase('Orders-Service!'),
      createTestDatabase('Orders-Service!'),
    ]);
    try {
      for (const db of [a, b]) {
        expect(db?.database).toMatch(IDENTIFIER);
        expect(db?.user).toMatch(IDENTIFIER);
        expect(parseMysqlUrl(db?.url ?? '')).toMatchObject({
          user: db?.user,
          database: db?.database,
        });
        expect(testNameAgeSeconds(db?.database ?? '')).toBeLessThan(60);
        expect(testNameAgeSeconds(db?.user ?? '')).toBeLessThan(60);
      }
      expect(a?.database).not.toBe(b?.database);
    } finally {
      await Promise.all([a?.drop(), b?.drop()]);
    }
  });

  it('does not take other names for test databases', () => {
    expect(testNameAgeSeconds('shop_orders')).toBeUndefined();
    expect(testNameAgeSeconds('test_handmade')).toBeUndefined();
  });
});
