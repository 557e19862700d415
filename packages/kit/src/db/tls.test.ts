/** Database TLS settings: env -> config -> URL parameters -> driver options (no server here; see services/catalog/test/database-tls.test.ts for the real one). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { ConfigError, loadConfig } from '../config/load-config';
import { parseMysqlUrl } from './mysql-url';
import {
  applyDatabaseTls,
  databaseTlsConfigSpec,
  mariadbConnectionConfig,
  mariadbPoolConfig,
  withDatabaseTls,
} from './tls';

const URL_ = 'mysql://app:pw@db.internal:3306/shop_catalog';
let dir: string;
let ca: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'db-tls-'));
  ca = path.join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(path.join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const load = (env: Record<string, string>) => loadConfig(databaseTlsConfigSpec(), env);
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('config', () => {
  it('defaults to no TLS: the URL stays as it is', () => {
    const c = load({});
    expect(c).toEqual({
      databaseTlsMode: undefined,
      databaseTlsCa: undefined,
      databaseTlsServerName: undefined,
    });
    expect(withDatabaseTls(URL_, c)).toBe(URL_);
    expect(mariadbConnectionConfig(URL_)).not.toHaveProperty('ssl');
  });

  it('a CA alone turns verify-full on', () => {
    const url = withDatabaseTls(URL_, load({ DATABASE_TLS_CA_FILE: ca }));
    expect(parseMysqlUrl(url).params).toEqual({ sslaccept: 'strict', sslcert: ca });
  });

  it('rejects bad values, each named in one line', () => {
    expect(
      problems(() =>
        load({
          DATABASE_TLS_MODE: 'require',
          DATABASE_TLS_CA_FILE: path.join(dir, 'missing.pem'),
          DATABASE_TLS_SERVER_NAME: 'not a host',
        }),
      ),
    ).toEqual([
      'DATABASE_TLS_MODE must be one of disabled, verify-full (got "require")',
      `DATABASE_TLS_CA_FILE must be a readable file (ENOENT) (got ${JSON.stringify(path.join(dir, 'missing.pem'))})`,
      'DATABASE_TLS_SERVER_NAME must be a host name or an IP (got "not a host")',
    ]);
    expect(problems(() => load({ DATABASE_TLS_CA_FILE: path.join(dir, 'key.pem') }))[0]).toMatch(
      /^DATABASE_TLS_CA_FILE must be a PEM file with at least one CERTIFICATE/,
    );
  });

  it('refuses contradictions when applied', () => {
    expect(
      problems(() =>
        withDatabaseTls(URL_, load({ DATABASE_TLS_MODE: 'disabled', DATABASE_TLS_CA_FILE: ca })),
      ),
    ).toEqual([expect.stringMatching(/^DATABASE_TLS_MODE is disabled but DATABASE_TLS_CA_FILE/)]);
    expect(
      problems(() =>
        withDatabaseTls(`${URL_}?sslaccept=strict`, load({ DATABASE_TLS_CA_FILE: ca })),
      ),
    ).toEqual([expect.stringMatching(/already carries ssl parameters/)]);
    expect(problems(() => applyDatabaseTls({ ...load({ DATABASE_TLS_CA_FILE: ca }) }))).toEqual([
      'DATABASE_TLS_* is set but this process has no DATABASE_URL',
    ]);
  });

  it('applyDatabaseTls gives the chassis a config whose databaseUrl carries TLS', () => {
    const config = Object.freeze({
      databaseUrl: URL_,
      ...load({ DATABASE_TLS_CA_FILE: ca }),
      other: 1,
    });
    const applied = applyDatabaseTls(config);
    expect(applied.other).toBe(1);
    expect(mariadbPoolConfig(applied.databaseUrl).ssl).toMatchObject({ rejectUnauthorized: true });
    expect(applyDatabaseTls({ databaseUrl: URL_, ...load({}) }).databaseUrl).toBe(URL_);
  });
});

describe('driver options', () => {
  it('verify-full: the CA, SNI and the identity check use the server name', () => {
    const ssl = mariadbConnectionConfig(
      withDatabaseTls(
        'mysql://app:pw@10.0.0.7:3306/shop_x',
        load({ DATABASE_TLS_CA_FILE: ca, DATABASE_TLS_SERVER_NAME: 'db.internal' }),
      ),
    ).ssl!;
    expect(ssl).toMatchObject({
      rejectUnauthorized: true,
      servername: 'db.internal',
      minVersion: 'TLSv1.2',
    });
    expect(String(ssl.ca)).toContain('BEGIN CERTIFICATE');
    const cert = (name: string) =>
      ({ subject: { CN: name }, subjectaltname: `DNS:${name}` }) as unknown as PeerCertificate;
    expect(ssl.checkServerIdentity!('10.0.0.7', cert('db.internal'))).toBeUndefined();
    expect(ssl.checkServerIdentity!('10.0.0.7', cert('other.internal'))?.message).toMatch(
      /Host: db.internal. is not in the cert's altnames/,
    );
  });

  it('an IP host gets no SNI (RFC 6066) but is still checked', () => {
    const ssl = mariadbConnectionConfig('mysql://a:b@127.0.0.1:3307/x?sslaccept=strict').ssl!;
    expect(ssl).not.toHaveProperty('servername');
    expect(ssl).not.toHaveProperty('ca'); // Node's public roots
    const cert = {
      subject: {},
      subjectaltname: 'IP Address:127.0.0.2',
    } as unknown as PeerCertificate;
    expect(ssl.checkServerIdentity!('127.0.0.1', cert)?.message).toMatch(/IP: 127.0.0.1 is not in/);
  });

  it('refuses URL parameters that would weaken or half-configure TLS, without leaking the password', () => {
    expect(() =>
      mariadbConnectionConfig('mysql://a:secret@h/x?sslaccept=accept_invalid_certs'),
    ).toThrow(/sslaccept=accept_invalid_certs is not supported: only strict.*a:\*\*\*@/);
    expect(() => mariadbConnectionConfig(`mysql://a:secret@h/x?sslcert=${ca}`)).toThrow(
      /need sslaccept=strict/,
    );
    expect(() =>
      mariadbConnectionConfig(`mysql://a:secret@h/x?sslaccept=strict&sslcert=${dir}/nope.pem`),
    ).toThrow(/database TLS CA .*nope.pem must be a readable file \(ENOENT\)/);
  });

  it('each pool gets its own ssl object (the driver writes into it)', () => {
    const url = `mysql://a:b@h/x?sslaccept=strict&sslcert=${ca}`;
    expect(mariadbPoolConfig(url).ssl).not.toBe(mariadbPoolConfig(url).ssl);
  });
});
