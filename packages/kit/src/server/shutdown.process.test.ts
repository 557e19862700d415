/**
 * Issue 24: a service whose database has gone away still exits within SHUTDOWN_DEADLINE_MS
 * after SIGTERM, and says what it gave up on. Runs the real users service against a PRIVATE
 * MariaDB (own data dir and port): stopping or freezing the shared one on 3307 would break
 * every other suite running beside this one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserServiceService } from '@meshcart/proto/shop/users/v1/users';
import { createClient } from '../client/create-client';
import { openConnection } from '../db/connection';
import { migrate } from '../db/migrate';
import { provisionDatabase, serviceDatabaseUrl } from '../db/provision';
import { createTestAuth } from '../testkit/test-auth';
import { freePort, REPO_ROOT, spawnTs, type SpawnedProcess } from '../testkit/spawn-service';

const ENTRY = 'services/users/src/main.ts';
const GRACE_MS = 500;
const DEADLINE_MS = 4_000;

jest.setTimeout(90_000);

const dataDir = mkdtempSync(path.join(tmpdir(), 'meshcart-shutdown-'));
let mysqlEnv: NodeJS.ProcessEnv;
const mariadb = (cmd: 'start' | 'stop' | 'url') =>
  promisify(execFile)('bash', [path.join(REPO_ROOT, 'scripts/mariadb.sh'), cmd], {
    cwd: REPO_ROOT,
    env: mysqlEnv,
    encoding: 'utf8',
  }).then((r) => r.stdout.trim());
const mariadbPid = () =>
  Number(readFileSync(path.join(dataDir, 'mariadb/run/mariadbd.pid'), 'utf8').trim());

let adminUrl: string;
let frozen: SpawnedProcess;
let stopped: SpawnedProcess;

beforeAll(async () => {
  // MYSQL_URL would make mariadb.sh use an existing server instead of starting ours.
  mysqlEnv = {
    ...process.env,
    MYSQL_URL: '',
    MESHCART_DATA: dataDir,
    MESHCART_MYSQL_PORT: String(await freePort()),
  };
  await mariadb('start');
  adminUrl = await mariadb('url');
  const db = { database: 'shop_users', user: 'shop_users', password: 'shutdown-test-pw' };
  await provisionDatabase({ adminUrl, ...db });
  const url = serviceDatabaseUrl(adminUrl, db);
  await migrate({ url, migrationsDir: path.join(REPO_ROOT, 'services/users/prisma/migrations') });
  const auth = await createTestAuth();
  const env = {
    ...auth.env,
    DATABASE_URL: url,
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
    SHUTDOWN_DEADLINE_MS: String(DEADLINE_MS),
  };
  const spawnUsers = async (name: string) =>
    spawnTs({ name, entry: ENTRY, env, port: await freePort(), timeoutMs: 60_000 });
  [frozen, stopped] = await Promise.all([spawnUsers('users-frozen'), spawnUsers('users-stopped')]);
});

afterAll(async () => {
  for (const p of [frozen, stopped]) await p?.kill('SIGKILL');
  try {
    process.kill(mariadbPid(), 'SIGCONT');
  } catch {
    /* already gone */
  }
  await mariadb('stop').catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

const logLines = (p: SpawnedProcess) =>
  p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** SIGTERM, then the exit code and how long the process took to exit. */
async function terminate(p: SpawnedProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  const code = await p.kill('SIGTERM');
  return { code, ms: Date.now() - t0 };
}

test('frozen database (SIGSTOP) under a call in flight: exits 1 within the deadline, naming the database pool', async () => {
  // A global read lock parks the service's INSERT inside the server: the query is on the wire
  // and its connection taken when the server freezes, as in a real incident. (Frozen while
  // idle, the pool's validation times out by itself; an in-flight query has no timeout, and
  // closing its pool then waits on it.)
  const lock = await openConnection(adminUrl);
  await lock.query('FLUSH TABLES WITH READ LOCK');
  const client = createClient(UserServiceService, frozen.address, { caller: 'edge' });
  const inFlight = client
    .registerUser({ email: 'frozen@example.com', password: 'long enough', displayName: 'F' })
    .catch(() => undefined);
  // Wait until the INSERT really waits on the lock inside the server (scrypt first takes a while,
  // longer on a loaded machine): only then is a query in flight when the server freezes.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = (await lock.query(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE 'INSERT%'",
    )) as { n: number }[];
    if (Number(rows[0]!.n) > 0) break;
    if (Date.now() > deadline) throw new Error('the INSERT never reached the server');
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(mariadbPid(), 'SIGSTOP');
  const { code, ms } = await terminate(frozen);
  process.kill(mariadbPid(), 'SIGCONT');
  lock.destroy(); // releases the lock
  await inFlight;
  client.close();
  const gaveUp = logLines(frozen).filter((l) => 'gave_up_on' in l);
  process.stdout.write(
    `frozen database: exit ${code} after ${ms} ms (deadline ${DEADLINE_MS} ms), gave_up_on ${JSON.stringify(gaveUp[0]?.gave_up_on ?? null)}\n`,
  );
  expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 500);
  expect(ms).toBeLessThan(DEADLINE_MS + 2_000);
  expect(code).toBe(1);
  expect(gaveUp).toHaveLength(1);
  expect(gaveUp[0]).toMatchObject({ level: 'error', deadline_ms: DEADLINE_MS });
  expect(gaveUp[0]!.gave_up_on).toContain('database pool');
});

test('database stopped cleanly under a call in flight: exits 0 within the deadline', async () => {
  const lock = await openConnection(adminUrl);
  await lock.query('FLUSH TABLES WITH READ LOCK');
  const client = createClient(UserServiceService, stopped.address, { caller: 'edge' });
  const inFlight = client
    .registerUser({ email: 'stopped@example.com', password: 'long enough', displayName: 'S' })
    .catch(() => undefined);
  await new Promise((r) => setTimeout(r, 1_000));
  lock.destroy(); // the server would wait for it
  await mariadb('stop');
  const { code, ms } = await terminate(stopped);
  await inFlight;
  client.close();
  const gaveUp = logLines(stopped).find((l) => 'gave_up_on' in l);
  process.stdout.write(
    `stopped database: exit ${code} after ${ms} ms, gave_up_on ${JSON.stringify(gaveUp?.gave_up_on ?? null)}\n`,
  );
  // The server closed every connection on its way down: nothing is left to hang on.
  expect(ms).toBeLessThan(DEADLINE_MS + 2_000);
  expect(code).toBe(0);
  expect(gaveUp).toBeUndefined();
  expect(logLines(stopped).some((l) => l.signal === 'SIGTERM')).toBe(true);
});
