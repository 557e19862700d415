/** The database side: migrations in step with schema.prisma, constraints, and the database being down. */
import { status } from '@grpc/grpc-js';
import { expectNoSchemaDrift, silentLogger } from '@meshcart/kit';
import { createTestAuth, killConnectionMidCall, startTestServer } from '@meshcart/kit/testkit';
import { buildServer } from '../src/server';
import { createDb } from '../src/store/db';
import {
  clientsFor,
  failure,
  migratedDatabase,
  seedStock,
  startInventory,
  type Harness,
} from './harness';

test('schema.prisma and the migrations agree', async () => {
  await expectNoSchemaDrift('services/inventory');
});

describe('database constraints', () => {
  let env: Awaited<ReturnType<typeof migratedDatabase>>;
  beforeAll(async () => {
    env = await migratedDatabase('inv_schema');
    await seedStock(env.db, { 'CK-A1': 5 });
  });
  afterAll(() => env?.close());

  const sqlError = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: { errno?: number }) => e.errno,
    );

  test('CHECK constraints refuse negative or over-reserved stock, whatever the application does', async () => {
    const q = (sql: string) => sqlError(env.db.pool.query(sql));
    const CHECK_FAILED = 4025;
    expect(await q("UPDATE stock SET reserved = 6 WHERE sku = 'CK-A1'")).toBe(CHECK_FAILED);
    expect(await q("UPDATE stock SET on_hand = -1, reserved = 0 WHERE sku = 'CK-A1'")).toBe(
      CHECK_FAILED,
    );
    expect(await q("UPDATE stock SET reserved = -1 WHERE sku = 'CK-A1'")).toBe(CHECK_FAILED);
    expect(await q("UPDATE stock SET reserved = 5 WHERE sku = 'CK-A1'")).toBeUndefined();
    expect(await q("UPDATE stock SET on_hand = 4 WHERE sku = 'CK-A1'")).toBe(CHECK_FAILED);
  });

  test('reservation items need their reservation and a quantity of 1-1000', async () => {
    await env.db.pool.query(
      "INSERT INTO reservations (id, status, updated_at) VALUES ('r1', 'ACTIVE', UTC_TIMESTAMP(3))",
    );
    const insert = (qty: number, id = 'r1') =>
      sqlError(
        env.db.pool.query(
          'INSERT INTO reservation_items (reservation_id, sku, quantity) VALUES (?, ?, ?)',
          [id, `CK-${qty}`, qty],
        ),
      );
    expect(await insert(0)).toBe(4025);
    expect(await insert(1001)).toBe(4025);
    expect(await insert(1000)).toBeUndefined();
    expect(await insert(1, 'no-such-reservation')).toBe(1452);
  });
});

test('with the database unreachable every RPC answers UNAVAILABLE (retryable), never INTERNAL', async () => {
  const db = createDb('mysql://nobody:secret@127.0.0.1:1/shop_inventory', {
    acquireTimeoutMs: 500,
  });
  const auth = await createTestAuth();
  const { address, stop } = await startTestServer(
    buildServer({ logger: silentLogger(), db, verifier: auth.verifier }),
  );
  const c = clientsFor(address, await auth.serviceToken('saga-worker'));
  // GetStock is the edge's (public): asked without a token, as the storefront does.
  const anonymous = clientsFor(address);
  try {
    for (const call of [
      () =>
        c.reservations.reserveStock({ reservationId: 'o', items: [{ sku: 'ABC', quantity: 1 }] }),
      () => c.reservations.releaseReservation({ reservationId: 'o' }),
      () => c.reservations.getReservation({ reservationId: 'o' }),
      () => anonymous.inventory.getStock({ sku: 'ABC' }),
    ]) {
      const err = await failure(call());
      expect([err.code, err.reason]).toEqual([status.UNAVAILABLE, 'DATABASE_UNAVAILABLE']);
    }
  } finally {
    c.close();
    anonymous.close();
    await stop();
    await db.close().catch(() => undefined);
  }
});

describe('the database connection killed mid-call', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInventory('inv_kill');
  });
  afterAll(() => h?.stop());

  test('AdjustStock answers UNAVAILABLE DATABASE_UNAVAILABLE (retryable), never INTERNAL; the retry applies once', async () => {
    await h.seed({ 'KILL-1': 10 });
    const req = { adjustmentId: 'adj-kill', sku: 'KILL-1', delta: 5, note: 'delivery' };
    const e = await killConnectionMidCall(
      h.database,
      'SELECT sku FROM stock WHERE sku = ? FOR UPDATE',
      ['KILL-1'],
      () => h.admin.admin.adjustStock(req),
    );
    expect(e).toMatchObject({ code: status.UNAVAILABLE, reason: 'DATABASE_UNAVAILABLE' });
    const onHand = async () =>
      Number(
        (
          (await h.db.pool.query("SELECT on_hand FROM stock WHERE sku = 'KILL-1'")) as {
            on_hand: number;
          }[]
        )[0]!.on_hand,
      );
    expect(await onHand()).toBe(10);
    expect((await h.admin.admin.adjustStock(req)).stock?.onHand).toBe(15);
    expect((await h.admin.admin.adjustStock(req)).stock?.onHand).toBe(15);
  });
});
