/** Admin AdjustStock: idempotent on adjustment_id, audited, refusing what would break the stock rules. */
import { status } from '@grpc/grpc-js';
import { failure, startInventory, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startInventory('inv_adjust');
});
afterAll(() => h?.stop());

const audit = (sku: string) =>
  h.db.prisma.stockAudit.findMany({
    where: { sku },
    orderBy: { id: 'asc' },
    omit: { id: true, createdAt: true },
  });

describe('AdjustStock', () => {
  test('adds the delta once per adjustment id; a repeat answers the first result', async () => {
    await h.seed({ 'ADJ-A1': 10 });
    const first = await h.admin.admin.adjustStock({
      adjustmentId: 'adj-1',
      sku: 'ADJ-A1',
      delta: 5,
      note: 'delivery 42',
    });
    expect(first.stock).toEqual({ sku: 'ADJ-A1', onHand: 15, reserved: 0, available: 15 });
    await h.admin.admin.adjustStock({
      adjustmentId: 'adj-2',
      sku: 'ADJ-A1',
      delta: -3,
      note: 'broken',
    });
    // The repeat comes after another change: it still answers exactly the first result.
    expect(
      await h.admin.admin.adjustStock({
        adjustmentId: 'adj-1',
        sku: 'ADJ-A1',
        delta: 5,
        note: 'delivery 42',
      }),
    ).toEqual(first);
    expect(await h.anonymous.inventory.getStock({ sku: 'ADJ-A1' })).toEqual({
      sku: 'ADJ-A1',
      available: 12,
    });
    expect(await audit('ADJ-A1')).toEqual([
      {
        sku: 'ADJ-A1',
        change: 'ADJUST',
        adjustmentId: 'adj-1',
        actor: 'admin:test',
        onHandBefore: 10,
        onHandAfter: 15,
        reserved: 0,
        delta: 5,
        note: 'delivery 42',
      },
      {
        sku: 'ADJ-A1',
        change: 'ADJUST',
        adjustmentId: 'adj-2',
        actor: 'admin:test',
        onHandBefore: 15,
        onHandAfter: 12,
        reserved: 0,
        delta: -3,
        note: 'broken',
      },
    ]);
  });

  test('parallel repeats of one adjustment apply it once', async () => {
    await h.seed({ 'ADJ-P1': 0 });
    const req = { adjustmentId: 'adj-par', sku: 'ADJ-P1', delta: 7, note: '' };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => h.admin.admin.adjustStock(req)),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await h.anonymous.inventory.getStock({ sku: 'ADJ-P1' })).toEqual({
      sku: 'ADJ-P1',
      available: 7,
    });
  });

  test('the same id with another payload is IDEMPOTENCY_KEY_REUSED', async () => {
    await h.seed({ 'ADJ-B1': 10, 'ADJ-B2': 10 });
    await h.admin.admin.adjustStock({ adjustmentId: 'adj-b', sku: 'ADJ-B1', delta: 1, note: '' });
    for (const other of [
      { sku: 'ADJ-B1', delta: 2, note: '' },
      { sku: 'ADJ-B2', delta: 1, note: '' },
      { sku: 'ADJ-B1', delta: 1, note: 'changed' },
    ]) {
      const err = await failure(h.admin.admin.adjustStock({ adjustmentId: 'adj-b', ...other }));
      expect([err.code, err.reason]).toEqual([status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED']);
    }
    expect(await h.anonymous.inventory.getStock({ sku: 'ADJ-B2' })).toEqual({
      sku: 'ADJ-B2',
      available: 10,
    });
  });

  test('refuses BELOW_RESERVED, ON_HAND_LIMIT_EXCEEDED and unknown skus; stores nothing then', async () => {
    await h.seed({ 'ADJ-C1': 5 });
    await h.saga.reservations.reserveStock({
      reservationId: 'order-adj-c',
      items: [{ sku: 'ADJ-C1', quantity: 4 }],
    });
    const below = await failure(
      h.admin.admin.adjustStock({ adjustmentId: 'adj-c1', sku: 'ADJ-C1', delta: -2, note: '' }),
    );
    expect([below.code, below.reason]).toEqual([status.FAILED_PRECONDITION, 'BELOW_RESERVED']);
    const over = await failure(
      h.admin.admin.adjustStock({
        adjustmentId: 'adj-c2',
        sku: 'ADJ-C1',
        delta: 999_999,
        note: '',
      }),
    );
    expect([over.code, over.reason]).toEqual([
      status.FAILED_PRECONDITION,
      'ON_HAND_LIMIT_EXCEEDED',
    ]);
    const unknown = await failure(
      h.admin.admin.adjustStock({ adjustmentId: 'adj-c3', sku: 'ADJ-NONE', delta: 1, note: '' }),
    );
    expect([unknown.code, unknown.reason]).toEqual([status.NOT_FOUND, 'SKU_NOT_FOUND']);
    expect(await audit('ADJ-C1')).toEqual([]);
    // The refused id was not consumed.
    const ok = await h.admin.admin.adjustStock({
      adjustmentId: 'adj-c1',
      sku: 'ADJ-C1',
      delta: -1,
      note: '',
    });
    expect(ok.stock).toEqual({ sku: 'ADJ-C1', onHand: 4, reserved: 4, available: 0 });
  });

  test('validates id, sku, delta and note', async () => {
    const err = await failure(
      h.admin.admin.adjustStock({ adjustmentId: '', sku: 'bad', delta: 0, note: 'n'.repeat(501) }),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.violations.map((v) => v.field)).toEqual(['adjustmentId', 'sku', 'delta', 'note']);
  });
});
