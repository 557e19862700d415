import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { DomainError, reasonToWire } from '@meshcart/kit';
import {
  answerRepeat,
  canonicalItems,
  decideTransition,
  findShortage,
  outOfStock,
  sameItems,
  stockEffect,
  type Reservation,
  type ReservationStatus,
  type Transition,
} from './reservation';

const at = new Date('2026-01-01T00:00:00Z');
const reservation = (
  status: ReservationStatus,
  items = [{ sku: 'A-1', quantity: 2 }],
): Reservation => ({
  id: 'o1',
  status,
  items,
  createdAt: at,
  updatedAt: at,
});
const thrown = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
};

describe('canonical items', () => {
  test('sorts by sku without touching the input', () => {
    const input = [
      { sku: 'B-1', quantity: 1 },
      { sku: 'A-1', quantity: 2 },
    ];
    expect(canonicalItems(input)).toEqual([
      { sku: 'A-1', quantity: 2 },
      { sku: 'B-1', quantity: 1 },
    ]);
    expect(input[0]!.sku).toBe('B-1');
  });

  test('sameItems ignores order and nothing else', () => {
    const items = fc.uniqueArray(
      fc.record({
        sku: fc.stringMatching(/^[A-Z0-9]{3,8}$/),
        quantity: fc.integer({ min: 1, max: 1000 }),
      }),
      {
        selector: (i) => i.sku,
        minLength: 1,
        maxLength: 10,
      },
    );
    fc.assert(
      fc.property(items, fc.integer(), (xs, seed) => {
        const shuffled = [...xs].sort(
          (a, b) => ((a.sku.charCodeAt(0) * seed) % 7) - ((b.sku.charCodeAt(0) * seed) % 7),
        );
        expect(sameItems(xs, shuffled)).toBe(true);
        const changed = xs.map((x, i) => (i === 0 ? { ...x, quantity: x.quantity + 1 } : x));
        expect(sameItems(xs, changed)).toBe(false);
        expect(sameItems(xs, xs.slice(1))).toBe(false);
      }),
    );
  });
});

describe('answerRepeat', () => {
  test('returns the stored reservation for the same items in any order', () => {
    const stored = reservation('ACTIVE', [
      { sku: 'A-1', quantity: 2 },
      { sku: 'B-1', quantity: 1 },
    ]);
    expect(
      answerRepeat(stored, [
        { sku: 'B-1', quantity: 1 },
        { sku: 'A-1', quantity: 2 },
      ]),
    ).toBe(stored);
    expect(answerRepeat(reservation('COMMITTED'), [{ sku: 'A-1', quantity: 2 }]).status).toBe(
      'COMMITTED',
    );
    expect(answerRepeat(reservation('RETURNED'), [{ sku: 'A-1', quantity: 2 }]).status).toBe(
      'RETURNED',
    );
  });

  test('other items are IDEMPOTENCY_KEY_REUSED', () => {
    const e = thrown(() => answerRepeat(reservation('ACTIVE'), [{ sku: 'A-1', quantity: 3 }]));
    expect([e.code, e.reason]).toEqual([status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED']);
  });

  test('a released reservation or a tombstone is RESERVATION_RELEASED', () => {
    for (const stored of [reservation('RELEASED'), reservation('RELEASED', [])]) {
      const e = thrown(() => answerRepeat(stored, [{ sku: 'A-1', quantity: 2 }]));
      expect([e.code, e.reason]).toEqual([status.FAILED_PRECONDITION, 'RESERVATION_RELEASED']);
    }
  });
});

describe('findShortage', () => {
  const stock = [
    { sku: 'A-1', onHand: 5, reserved: 3 },
    { sku: 'B-1', onHand: 10, reserved: 0 },
  ];
  test('names the first short item in sku order, unknown skus having 0', () => {
    expect(
      findShortage(
        [
          { sku: 'B-1', quantity: 10 },
          { sku: 'A-1', quantity: 2 },
        ],
        stock,
      ),
    ).toBeUndefined();
    expect(
      findShortage(
        [
          { sku: 'B-1', quantity: 11 },
          { sku: 'A-1', quantity: 3 },
        ],
        stock,
      ),
    ).toEqual({ sku: 'A-1', requested: 3, available: 2 });
    expect(findShortage([{ sku: 'ZZZ', quantity: 1 }], stock)).toEqual({
      sku: 'ZZZ',
      requested: 1,
      available: 0,
    });
  });

  test('OUT_OF_STOCK carries sku, requested and available as metadata', () => {
    const e = outOfStock({ sku: 'A-1', requested: 3, available: 2 });
    expect([e.code, e.reason, e.metadata]).toEqual([
      status.FAILED_PRECONDITION,
      'OUT_OF_STOCK',
      { sku: 'A-1', requested: '3', available: '2' },
    ]);
  });
});

describe('lifecycle', () => {
  const table: Array<[ReservationStatus, Transition, string]> = [
    ['ACTIVE', 'release', 'apply RELEASED'],
    ['ACTIVE', 'commit', 'apply COMMITTED'],
    ['ACTIVE', 'return', 'reject RESERVATION_NOT_COMMITTED'],
    ['RELEASED', 'release', 'noop'],
    ['RELEASED', 'commit', 'reject RESERVATION_RELEASED'],
    ['RELEASED', 'return', 'reject RESERVATION_NOT_COMMITTED'],
    ['COMMITTED', 'release', 'reject RESERVATION_COMMITTED'],
    ['COMMITTED', 'commit', 'noop'],
    ['COMMITTED', 'return', 'apply RETURNED'],
    ['RETURNED', 'release', 'reject RESERVATION_COMMITTED'],
    ['RETURNED', 'commit', 'noop'],
    ['RETURNED', 'return', 'noop'],
  ];
  test.each(table)('%s + %s -> %s', (from, action, expected) => {
    const d = decideTransition(from, action);
    const text =
      d.kind === 'apply'
        ? `apply ${d.to}`
        : d.kind === 'reject'
          ? `reject ${reasonToWire(d.reason)}`
          : 'noop';
    expect(text).toBe(expected);
  });

  test('stock effects keep available unchanged on commit and restore it on release', () => {
    expect(stockEffect('release')).toEqual({ onHand: 0, reserved: -1 });
    expect(stockEffect('commit')).toEqual({ onHand: -1, reserved: -1 });
    expect(stockEffect('return')).toEqual({ onHand: 1, reserved: 0 });
  });
});
