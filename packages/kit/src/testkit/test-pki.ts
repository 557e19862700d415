/**
 * Throwaway X.509 material for TLS tests, made with the openssl CLI (/usr/bin/openssl): CAs and
 * the server or client certificates they sign. EC P-256 keys, so making one takes milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCert {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

const OPENSSL = process.env.OPENSSL ?? 'openssl';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const openssl = (dir: string, args: string[]) =>
  execFileSync(OPENSSL, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
const load = (dir: string, name: string): TestCert => {
  const certPath = path.join(dir, `${name}.pem`);
  const keyPath = path.join(dir, `${name}-key.pem`);
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
};

/** A self-signed CA named `name` in `dir` (<name>.pem, <name>-key.pem). */
export function makeTestCa(dir: string, name: string): TestCert {
  mkdirSync(dir, { recursive: true });
  openssl(dir, [
    'req', '-x509', ...EC, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', `${name}-key.pem`, '-out', `${name}.pem`,
  ]); // prettier-ignore
  return load(dir, name);
}

/**
 * A certificate signed by `ca` for `names` (DNS names and IPs, the first is also the CN), for a
 * server (serverAuth) or a client (clientAuth, mTLS).
 */
export function makeTestCert(
  ca: TestCert,
  name: string,
  opts: { names: string[]; usage: 'server' | 'client' },
): TestCert {
  const dir = path.dirname(ca.certPath);
  const san = opts.names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(
    path.join(dir, `${name}.ext`),
    [
      `subjectAltName=${san}`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${opts.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
    ].join('\n'),
  );
  openssl(dir, ['req', ...EC, '-subj', `/CN=${opts.names[0]}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`]); // prettier-ignore
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', ca.certPath, '-CAkey', ca.keyPath,
    '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`,
  ]); // prettier-ignore
  return load(dir, name);
}
