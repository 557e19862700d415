/** TEMPORAL_TLS_* / TEMPORAL_API_KEY -> connection options (the real sockets: saga/test/tls/temporal-tls.test.ts). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/load-config';
import { temporalConnectionConfigSpec, temporalConnectionOptions } from './connection-options';

let dir: string;
const f = (name: string) => path.join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'temporal-opts-'));
  writeFileSync(f('ca.pem'), '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
  writeFileSync(f('crt.pem'), '-----BEGIN CERTIFICATE-----\nCRT\n-----END CERTIFICATE-----\n');
  writeFileSync(f('key.pem'), '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const build = (env: Record<string, string>) =>
  temporalConnectionOptions('temporal:7233', loadConfig(temporalConnectionConfigSpec(), env));
const problems = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

test('nothing set: plaintext, address only (the local dev server)', () => {
  expect(build({})).toEqual({ address: 'temporal:7233' });
});

test('mTLS, server name and API key become the SDK options', () => {
  const o = build({
    TEMPORAL_TLS_CA_FILE: f('ca.pem'),
    TEMPORAL_TLS_CERT_FILE: f('crt.pem'),
    TEMPORAL_TLS_KEY_FILE: f('key.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    TEMPORAL_API_KEY: 'k1',
  });
  expect(o.address).toBe('temporal:7233');
  expect(o.apiKey).toBe('k1');
  expect(o.tls?.serverNameOverride).toBe('temporal.internal');
  expect(String(o.tls?.serverRootCACertificate)).toContain('CA');
  expect(String(o.tls?.clientCertPair?.crt)).toContain('CRT');
  expect(String(o.tls?.clientCertPair?.key)).toContain('KEY');
});

test('an API key alone means TLS with the system roots (Temporal Cloud)', () => {
  expect(build({ TEMPORAL_API_KEY: 'k' })).toEqual({
    address: 'temporal:7233',
    tls: {},
    apiKey: 'k',
  });
  expect(build({ TEMPORAL_TLS_MODE: 'verify-full' })).toEqual({
    address: 'temporal:7233',
    tls: {},
  });
});

test('bad values and contradictions are configuration errors, the key never echoed', () => {
  expect(
    problems(() =>
      loadConfig(temporalConnectionConfigSpec(), {
        TEMPORAL_TLS_MODE: 'insecure',
        TEMPORAL_TLS_KEY_FILE: f('crt.pem'),
        TEMPORAL_TLS_CA_FILE: f('missing.pem'),
      }),
    ),
  ).toEqual([
    'TEMPORAL_TLS_MODE must be one of disabled, verify-full (got "insecure")',
    `TEMPORAL_TLS_CA_FILE must be a readable file (ENOENT) (got ${JSON.stringify(f('missing.pem'))})`,
    `TEMPORAL_TLS_KEY_FILE must be a PEM file with a PRIVATE KEY (got ${JSON.stringify(f('crt.pem'))})`,
  ]);
  expect(problems(() => build({ TEMPORAL_TLS_CERT_FILE: f('crt.pem') }))).toEqual([
    expect.stringMatching(/TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE go together/),
  ]);
  const p = problems(() => build({ TEMPORAL_TLS_MODE: 'disabled', TEMPORAL_API_KEY: 'sekrit' }));
  expect(p).toEqual([expect.stringMatching(/disabled but TEMPORAL_API_KEY is set/)]);
  expect(p.join()).not.toContain('sekrit');
});
