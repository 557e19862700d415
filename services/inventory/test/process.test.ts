/**
 * The real process (tsx services/inventory/src/main.ts): migrate command, SIGKILL in the middle
 * of a load of multi-item reservations, restart, and a graceful SIGTERM.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { createTestDatabase, GrpcCallError, migrate, type TestDatabase } from '@meshcart/kit';
import {
  createTestAuth,
  freePort,
  REPO_ROOT,
  spawnTs,
  type SpawnedProcess,
  type TestAuth,
} from '@meshcart/kit/testkit';
import { createDb, type Db } from '../src/store/db';
import { clientsFor, MIGRATIONS_DIR, seedStock } from './harness';
import { invariantViolations, storedReservations } from './invariants';

jest.setTimeout(120_000);

const SKUS = ['KL-A', 'KL-B', 'KL-C', 'KL-D', 'KL-E'];
const KILLS = 2;
const BATCH = 60;

let database: TestDatabase;
let db: Db;
let auth: TestAuth;
let port: number;
let token: string;

const start = (): Promise<SpawnedProcess> =>
  spawnTs({
    name: 'inventory',
    entry: 'services/inventory/src/main.ts',
    env: { DATABASE_URL: database.url, ...auth.env },
    port,
  });

let first: SpawnedProcess;

beforeAll(async () => {
  database = await createTestDatabase('inv_process');
  auth = await createTestAuth();
  token = await auth.serviceToken('saga-worker');
  port = await freePort();
  // The real migrate command prepares the database while the server starts (it needs no
  // tables to start): two slow process starts overlap.
  const migrateCommand = promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', 'services/inventory/src/main.ts', 'migrate'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: database.url },
    },
  );
  const [{ stdout }, proc] = await Promise.all([migrateCommand, start()]);
  first = proc;
  expect(stdout).toMatch(/"applied":\["20261122000000_init"\].*migrations up to date/);
  expect((await migrate({ url: database.url, migrationsDir: MIGRATIONS_DIR })).applied).toEqual([]);
  db = createDb(database.url);
  await seedStock(db, Object.fromEntries(SKUS.map((s) => [s, 1000])));
});
afterAll(async () => {
  await first?.kill('SIGKILL');
  await db?.close();
  await database?.drop();
});

let seq = 0;
/** A multi-item order over 2-4 skus, remembered so the database can be checked against it. */
const sent = new Map<string, string[]>();
function order(): { reservationId: string; items: { sku: string; quantity: number }[] } {
  seq += 1;
  const skus = SKUS.filter((_, i) => (seq * (i + 3)) % 5 < 3).slice(0, 4);
  const items = (skus.length >= 2 ? skus : SKUS.slice(0, 2)).map((sku, i) => ({
    sku,
    quantity: 1 + ((seq + i) % 5),
  }));
  sent.set(`kill-${seq}`, items.map((i) => `${i.sku}:${i.quantity}`).sort());
  return { reservationId: `kill-${seq}`, items };
}

/** Fires a batch in parallel and runs `midway` (a kill) once a few calls have succeeded. */
async function batch(proc: SpawnedProcess, midway: () => Promise<unknown>) {
  const clients = clientsFor(proc.address, token);
  const ok: string[] = [];
  let enough: () => void = () => undefined;
  const answered = new Promise<void>((r) => (enough = r));
  const calls = Array.from({ length: BATCH }, order).map((req) =>
    clients.reservations.reserveStock(req).then(
      () => {
        if (ok.push(req.reservationId) === 10) enough();
      },
      (e: unknown) => {
        if (!(e instanceof GrpcCallError)) throw e;
        return e.code;
      },
    ),
  );
  await answered;
  await midway();
  const failed = (await Promise.all(calls)).filter((c) => c !== undefined);
  clients.close();
  return { ok, failed };
}

test('SIGKILL mid-load loses no answered reservation nor leaves a partial one; SIGTERM drains and exits 0', async () => {
  const answeredOk: string[] = [];
  let unanswered = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const proc = kill === 0 ? first : await start();
    const { ok, failed } = await batch(proc, () => proc.kill('SIGKILL'));
    answeredOk.push(...ok);
    unanswered += failed.length;
    expect(
      failed.every(
        (code) =>
          code === status.UNAVAILABLE || code === status.CANCELLED || code === status.INTERNAL,
      ),
    ).toBe(true);
  }
  // Restarted, the service works and answers a repeat of an earlier reservation identically.
  const proc = await start();
  const clients = clientsFor(proc.address, token);
  const repeatId = answeredOk[0]!;
  const repeat = await clients.reservations.getReservation({ reservationId: repeatId });
  expect(repeat.reservation!.items.map((i) => `${i.sku}:${i.quantity}`).sort()).toEqual(
    sent.get(repeatId),
  );
  clients.close();
  // SIGTERM mid-batch: accepted calls finish, later ones are refused UNAVAILABLE, exit code 0.
  let exitCode: number | null = null;
  const drained = await batch(proc, async () => (exitCode = await proc.kill('SIGTERM')));
  expect(exitCode).toBe(0);
  expect(drained.failed.every((code) => code === status.UNAVAILABLE)).toBe(true);
  expect(proc.output()).toContain('grpc server stopped');

  const stored = await storedReservations(db);
  for (const id of [...answeredOk, ...drained.ok])
    expect(stored.get(id)).toEqual({ status: 'ACTIVE', items: sent.get(id) });
  for (const [id, r] of stored) expect(r.items).toEqual(sent.get(id)); // whole, never a subset
  expect(await invariantViolations(db)).toEqual([]);
  const committedUnanswered = [...stored.keys()].filter(
    (id) => !answeredOk.includes(id) && !drained.ok.includes(id),
  ).length;
  expect(unanswered).toBeGreaterThan(0); // the kills really hit calls in flight
  console.log(
    `process test: ${KILLS} SIGKILLs mid-batch, ${sent.size} reservations sent, ${answeredOk.length} answered OK before ` +
      `the kills, ${unanswered} cut off (${committedUnanswered} of those had committed: stored whole), ` +
      `SIGTERM batch ${drained.ok.length} OK / ${drained.failed.length} refused, ${stored.size} stored, invariants hold`,
  );
});
