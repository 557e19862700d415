/** GetStock (public), the admin SetStock with its audit rows, and who may call the admin service. */
import { status } from '@grpc/grpc-js';
import { failure, startInventory, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startInventory('inv_stock');
});
afterAll(() => h?.stop());

const audit = (sku: string) =>
  h.db.prisma.stockAudit.findMany({
    where: { sku },
    orderBy: { id: 'asc' },
    omit: { id: true, createdAt: true },
  });

describe('GetStock', () => {
  test('is public: anyone reads the available quantity', async () => {
    await h.seed({ 'GS-A1': 7 });
    await h.saga.reservations.reserveStock({
      reservationId: 'order-gs',
      items: [{ sku: 'GS-A1', quantity: 3 }],
    });
    for (const c of [h.anonymous, h.customer, h.admin]) {
      expect(await c.inventory.getStock({ sku: 'GS-A1' })).toEqual({ sku: 'GS-A1', available: 4 });
    }
  });

  test('unknown sku is NOT_FOUND SKU_NOT_FOUND; a malformed one INVALID_ARGUMENT', async () => {
    const unknown = await failure(h.anonymous.inventory.getStock({ sku: 'NO-SUCH-SKU' }));
    expect([unknown.code, unknown.reason, unknown.metadata]).toEqual([
      status.NOT_FOUND,
      'SKU_NOT_FOUND',
      { sku: 'NO-SUCH-SKU' },
    ]);
    const bad = await failure(h.anonymous.inventory.getStock({ sku: 'a' }));
    expect([bad.code, bad.violations.map((v) => v.field)]).toEqual([
      status.INVALID_ARGUMENT,
      ['sku'],
    ]);
  });
});

describe('SetStock', () => {
  test('creates a sku, then sets it, each with an audit row naming the caller', async () => {
    const created = await h.admin.admin.setStock({
      sku: 'SET-A1',
      onHand: 12,
      note: 'first delivery',
    });
    expect(created.stock).toEqual({ sku: 'SET-A1', onHand: 12, reserved: 0, available: 12 });
    const updated = await h.admin.admin.setStock({ sku: 'SET-A1', onHand: 9, note: 'stocktake' });
    expect(updated.stock).toEqual({ sku: 'SET-A1', onHand: 9, reserved: 0, available: 9 });
    expect(await audit('SET-A1')).toEqual([
      {
        sku: 'SET-A1',
        change: 'SET',
        adjustmentId: null,
        actor: 'admin:test',
        onHandBefore: null,
        onHandAfter: 12,
        reserved: 0,
        delta: 12,
        note: 'first delivery',
      },
      {
        sku: 'SET-A1',
        change: 'SET',
        adjustmentId: null,
        actor: 'admin:test',
        onHandBefore: 12,
        onHandAfter: 9,
        reserved: 0,
        delta: -3,
        note: 'stocktake',
      },
    ]);
  });

  test('refuses to go below the reserved quantity (BELOW_RESERVED) and writes no audit row', async () => {
    await h.admin.admin.setStock({ sku: 'SET-B1', onHand: 10, note: '' });
    await h.saga.reservations.reserveStock({
      reservationId: 'order-set-b',
      items: [{ sku: 'SET-B1', quantity: 6 }],
    });
    const err = await failure(h.admin.admin.setStock({ sku: 'SET-B1', onHand: 5, note: '' }));
    expect([err.code, err.reason, err.metadata]).toEqual([
      status.FAILED_PRECONDITION,
      'BELOW_RESERVED',
      { sku: 'SET-B1', onHand: '5', reserved: '6' },
    ]);
    expect((await h.admin.admin.setStock({ sku: 'SET-B1', onHand: 6, note: '' })).stock).toEqual({
      sku: 'SET-B1',
      onHand: 6,
      reserved: 6,
      available: 0,
    });
    expect(await audit('SET-B1')).toHaveLength(2);
  });

  test('parallel creators of one new sku all succeed; exactly one audit row records the creation', async () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    await Promise.all(
      values.map((onHand) => h.admin.admin.setStock({ sku: 'SET-PAR', onHand, note: '' })),
    );
    const rows = await audit('SET-PAR');
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r.onHandBefore === null)).toHaveLength(1);
    const last = rows[rows.length - 1]!.onHandAfter;
    expect(await h.anonymous.inventory.getStock({ sku: 'SET-PAR' })).toEqual({
      sku: 'SET-PAR',
      available: last,
    });
  });

  test('validates sku, onHand range and note length', async () => {
    const err = await failure(
      h.admin.admin.setStock({ sku: 'x', onHand: -1, note: 'n'.repeat(501) }),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.violations.map((v) => v.field)).toEqual(['sku', 'onHand', 'note']);
    const big = await failure(
      h.admin.admin.setStock({ sku: 'SET-C1', onHand: 1_000_001, note: '' }),
    );
    expect(big.violations.map((v) => v.field)).toEqual(['onHand']);
  });
});

describe('admin access', () => {
  const calls = (c: Harness['admin']) => [
    () => c.admin.setStock({ sku: 'ACC-SET', onHand: 1, note: '' }),
    () => c.admin.adjustStock({ adjustmentId: 'acc', sku: 'ACC-SET', delta: 1, note: '' }),
  ];

  test('no token is UNAUTHENTICATED; customer and service tokens are PERMISSION_DENIED', async () => {
    for (const call of calls(h.anonymous)) {
      expect((await failure(call())).code).toBe(status.UNAUTHENTICATED);
    }
    // A person lacks the role; a workload (the saga worker) is outside the call graph.
    for (const [who, reason] of [
      [h.customer, 'ROLE_REQUIRED'],
      [h.saga, 'METHOD_NOT_IN_CALL_GRAPH'],
    ] as const) {
      for (const call of calls(who)) {
        const err = await failure(call());
        expect([err.code, err.reason]).toEqual([status.PERMISSION_DENIED, reason]);
      }
    }
    expect(await h.db.prisma.stock.findUnique({ where: { sku: 'ACC-SET' } })).toBeNull();
  });
});
