/**
 * Temporal over TLS/mTLS, over real sockets. The pinned Temporal CLI dev server (`temporal server
 * start-dev`, v1.5.1) has no TLS flags, so the test puts a TLS terminator in front of it: a Node
 * tls server (its certificate from a test CA, client certificates required and verified against
 * a second CA, ALPN h2) that pipes the decrypted stream to the plain dev server. Orders' client
 * (@temporalio/client Connection) and the saga worker's (@temporalio/worker NativeConnection)
 * are built from the kit's temporalConnectionOptions, as both mains build them.
 */
import { connect as netConnect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig, temporalConnectionConfigSpec, temporalConnectionOptions } from '@meshcart/kit';
import { makeTestCa, makeTestCert, type TestCert } from '@meshcart/kit/testkit';

jest.setTimeout(60_000);
const TEMPORAL = process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233';

let dir: string;
let serverCa: TestCert;
let clientCa: TestCert;
let otherCa: TestCert;
let client: TestCert;
let proxy: Server;
let proxyAddress: string;
const handshakes: Array<{ authorized: boolean; alpn: string | false | null }> = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'temporal-tls-'));
  serverCa = makeTestCa(dir, 'server-ca');
  clientCa = makeTestCa(dir, 'client-ca');
  otherCa = makeTestCa(dir, 'other-ca');
  const server = makeTestCert(serverCa, 'frontend', {
    names: ['temporal.meshcart.test'],
    usage: 'server',
  });
  client = makeTestCert(clientCa, 'orders', { names: ['orders'], usage: 'client' });
  proxy = createServer(
    {
      cert: server.cert,
      key: server.key,
      ca: clientCa.cert,
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (tls: TLSSocket) => {
      handshakes.push({ authorized: tls.authorized, alpn: tls.alpnProtocol });
      const [host, port] = TEMPORAL.split(':');
      const upstream = netConnect(Number(port), host);
      tls.pipe(upstream).pipe(tls);
      const close = () => {
        tls.destroy();
        upstream.destroy();
      };
      tls.on('error', close);
      upstream.on('error', close);
    },
  );
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyAddress = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Options as orders and the worker build them from their environment. */
const optionsFor = (address: string, env: Record<string, string>) =>
  temporalConnectionOptions(address, loadConfig(temporalConnectionConfigSpec(), env));

const mtlsEnv = () => ({
  TEMPORAL_TLS_CA_FILE: serverCa.certPath,
  TEMPORAL_TLS_CERT_FILE: client.certPath,
  TEMPORAL_TLS_KEY_FILE: client.keyPath,
  TEMPORAL_TLS_SERVER_NAME: 'temporal.meshcart.test',
  TEMPORAL_API_KEY: 'test-api-key',
});

async function clientCall(address: string, env: Record<string, string>) {
  const connection = await Connection.connect({
    ...optionsFor(address, env),
    connectTimeout: 3_000,
  });
  try {
    return await connection.workflowService.getSystemInfo({});
  } finally {
    await connection.close();
  }
}

test('orders client: mTLS through the TLS frontend reaches the real server', async () => {
  const before = handshakes.length;
  const info = await clientCall(proxyAddress, mtlsEnv());
  expect(info.serverVersion).toMatch(/\d+\.\d+/);
  expect(handshakes.slice(before)).toContainEqual({ authorized: true, alpn: 'h2' });
});

test('saga worker connection: mTLS through the TLS frontend', async () => {
  const conn = await NativeConnection.connect(optionsFor(proxyAddress, mtlsEnv()));
  try {
    const info = await conn.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/\d+\.\d+/);
  } finally {
    await conn.close();
  }
});

test('a frontend whose certificate the CA did not sign is refused', async () => {
  const env = { ...mtlsEnv(), TEMPORAL_TLS_CA_FILE: otherCa.certPath };
  await expect(clientCall(proxyAddress, env)).rejects.toThrow();
  await expect(NativeConnection.connect(optionsFor(proxyAddress, env))).rejects.toThrow(
    /tls|certificate|transport|connect/i,
  );
});

test('a frontend certificate for another name is refused', async () => {
  const env = { ...mtlsEnv(), TEMPORAL_TLS_SERVER_NAME: 'other.meshcart.test' };
  await expect(clientCall(proxyAddress, env)).rejects.toThrow();
  await expect(NativeConnection.connect(optionsFor(proxyAddress, env))).rejects.toThrow();
});

test('without the client certificate the mTLS frontend refuses the connection', async () => {
  const { TEMPORAL_TLS_CERT_FILE: _c, TEMPORAL_TLS_KEY_FILE: _k, ...env } = mtlsEnv();
  await expect(clientCall(proxyAddress, env)).rejects.toThrow();
  await expect(NativeConnection.connect(optionsFor(proxyAddress, env))).rejects.toThrow();
});

test('a TLS-configured client never falls back to plaintext against the plain dev server', async () => {
  // Control: the plain server answers a plain client.
  expect((await clientCall(TEMPORAL, {})).serverVersion).toMatch(/\d/);
  const env = { TEMPORAL_TLS_CA_FILE: serverCa.certPath };
  await expect(clientCall(TEMPORAL, env)).rejects.toThrow();
  await expect(NativeConnection.connect(optionsFor(TEMPORAL, env))).rejects.toThrow();
});
