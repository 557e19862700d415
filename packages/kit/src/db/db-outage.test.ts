/**
 * A database outage, for real: the catalog service's own server, handlers and store (Prisma over
 * the MariaDB adapter, pooled) on a private MariaDB, under a small concurrent load. The server
 * is stopped: every call answers UNAVAILABLE DB_UNAVAILABLE within the pool's acquire timeout,
 * none INTERNAL, nothing crashes. It is started again: calls succeed on the same pool and the
 * same server, nothing recreated or restarted. (A private server: the shared one on 3307 is
 * never stopped.)
 */
import { status } from '@grpc/grpc-js';
import { CatalogServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import { createCatalogStore, createDb } from '@meshcart/catalog/read-path';
import { buildServer } from '@meshcart/catalog';
import { createClient, silentLogger, type GrpcCallError } from '../index';
import {
  createTestAuth,
  startPrivateMariadb,
  startTestServer,
  type PrivateMariadb,
} from '../../testkit';
import { migrate } from './migrate';
import { provisionDatabase, serviceDatabaseUrl } from './provision';
import { withDatabasePoolSettings } from './pool-settings';
import { connect } from 'node:net';
import path from 'node:path';

const ACQUIRE_TIMEOUT_MS = 1_000;
const WORKERS = 6;
const SKU = 'MUG-OUTAGE';

type Outcome = { phase: string; code: number; reason: string | undefined; ms: number };

let mariadb: PrivateMariadb;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  mariadb = await startPrivateMariadb();
}, 60_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await mariadb?.stop();
});

test('database down: every call UNAVAILABLE DB_UNAVAILABLE within the acquire timeout, never INTERNAL; back up: the same pool serves again', async () => {
  const database = 'outage';
  await provisionDatabase({
    adminUrl: mariadb.adminUrl,
    database,
    user: database,
    password: 'outage-pw',
  });
  const url = withDatabasePoolSettings(
    serviceDatabaseUrl(mariadb.adminUrl, { database, user: database, password: 'outage-pw' }),
    { acquireTimeoutMs: ACQUIRE_TIMEOUT_MS, statementTimeoutMs: 5_000 },
  );
  await migrate({
    url,
    migrationsDir: path.resolve(__dirname, '../../../../services/catalog/prisma/migrations'),
  });
  const db = createDb(url);
  const store = createCatalogStore(db);
  await store.create(SKU, {
    name: 'Mug',
    description: '',
    category: 'kitchen',
    price: { currencyCode: 'EUR', amountMinor: 1299n },
    active: true,
  });
  const auth = await createTestAuth();
  const server = buildServer({
    logger: silentLogger(),
    verifier: auth.verifier,
    reflection: false,
    store,
  });
  const { address, stop } = await startTestServer(server);
  const client = createClient(CatalogServiceService, address, { caller: null });

  const outcomes: Outcome[] = [];
  let phase = 'up';
  let running = true;
  const worker = async () => {
    while (running) {
      const at = phase;
      const t = performance.now();
      const e = await client
        .getProduct({ sku: SKU }, { timeoutMs: 8_000 })
        .then(() => undefined)
        .catch((err: GrpcCallError) => err);
      outcomes.push({
        phase: at,
        code: e?.code ?? status.OK,
        reason: e?.reason,
        ms: performance.now() - t,
      });
      if (e) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const load = Array.from({ length: WORKERS }, worker);
  const during = (p: string) => outcomes.filter((o) => o.phase === p);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await sleep(500);
    phase = 'stopping';
    await mariadb.halt();
    // Down means nothing listens any more (not merely that the stop command returned).
    const port = Number(new URL(mariadb.adminUrl).port);
    const refusedBy = Date.now() + 10_000;
    while (await listening(port)) {
      if (Date.now() > refusedBy) throw new Error(`MariaDB still listens on ${port} after halt`);
      await sleep(50);
    }
    phase = 'down';
    await sleep(3_000);
    phase = 'starting';
    await mariadb.resume();
    phase = 'recovering';
    const back = Date.now();
    while (!during('recovering').some((o) => o.code === status.OK)) {
      if (Date.now() - back > 15_000) throw new Error('no call succeeded after the restart');
      await sleep(50);
    }
    phase = 'up again';
    await sleep(500);
  } finally {
    running = false;
    await Promise.all(load);
    client.close();
    await stop();
    await db.$disconnect();
  }

  const summary = (list: Outcome[]) =>
    [...new Set(list.map((o) => `${status[o.code]}${o.reason ? ` ${o.reason}` : ''}`))].sort();
  expect(summary(during('up'))).toEqual(['OK']);
  const down = during('down');
  expect(down.length).toBeGreaterThanOrEqual(WORKERS);
  expect(summary(down)).toEqual(['UNAVAILABLE DB_UNAVAILABLE']);
  // Each answered within the acquire timeout (plus scheduling slack on a busy machine).
  expect(Math.max(...down.map((o) => o.ms))).toBeLessThan(ACQUIRE_TIMEOUT_MS + 1_500);
  // Whatever the moment, only OK or the retryable database answer: never INTERNAL.
  for (const o of outcomes) expect(['OK', 'UNAVAILABLE DB_UNAVAILABLE']).toContain(summary([o])[0]);
  expect(summary(during('up again'))).toEqual(['OK']);
  expect(unhandled).toEqual([]);
}, 60_000);

/** True while something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
