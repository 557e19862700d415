/**
 * A MariaDB of its own that serves TLS, for tests that must not restart the shared server: the
 * project's scripts/mariadb.sh (the same start, certificates and all) with a throwaway data
 * directory and a free port. Plain connections work too; stop() removes everything.
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
  stop(): Promise<void>;
}

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
    return { adminUrl: await script('url'), caPath: await script('ca'), dir, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
