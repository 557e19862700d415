/**
 * A MariaDB of its own, for tests that must not touch the shared server: the project's
 * scripts/mariadb.sh (the same start, TLS certificates and all) with a throwaway data directory
 * and a free port. Plain connections work too. The outage tests stop and start it again
 * (halt/resume: same port, same data); stop() removes everything.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, REPO_ROOT } from './spawn-service';

export interface TlsMariadb {
  /** Admin URL (plain; add TLS with withDatabaseTls). */
  adminUrl: string;
  /** The CA that signed the server's certificate (localhost, 127.0.0.1). */
  caPath: string;
  /** Throwaway directory (the data directory lives under it; free for the test's own files). */
  dir: string;
  /** Stops the server (SIGTERM, as an orchestrator would), keeping its data and port. */
  halt(): Promise<void>;
  /** Starts the halted server again on the same port with the same data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** A private MariaDB (see the file comment); the name says what its first users needed. */
export type PrivateMariadb = TlsMariadb;

export async function startTlsMariadb(): Promise<TlsMariadb> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshcart-tls-mariadb-'));
  const env = {
    ...process.env,
    MESHCART_DATA: dir,
    MESHCART_MYSQL_PORT: String(await freePort()),
    MYSQL_URL: '',
  };
  const script = (cmd: string) =>
    promisify(execFile)('bash', [path.join(REPO_ROOT, 'scripts/mariadb.sh'), cmd], {
      env,
      encoding: 'utf8',
    }).then((r) => r.stdout.trim());
  const stop = async () => {
    await script('stop').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await script('start');
    return {
      adminUrl: await script('url'),
      caPath: await script('ca'),
      dir,
      halt: () => script('stop').then(() => undefined),
      resume: () => script('start').then(() => undefined),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A private MariaDB to stop and start at will (outage tests). */
export const startPrivateMariadb: () => Promise<PrivateMariadb> = startTlsMariadb;
