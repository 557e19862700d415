import { status } from '@grpc/grpc-js';
import { DomainError } from '@meshcart/kit';
import { answerAdjustmentRepeat, checkNewOnHand, stockLevel } from './stock';

const thrown = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
};

test('available is on_hand - reserved', () => {
  expect(stockLevel('ABC', 10, 4)).toEqual({ sku: 'ABC', onHand: 10, reserved: 4, available: 6 });
});

test('on_hand may drop to reserved but not below, nor above the maximum', () => {
  expect(() => checkNewOnHand('ABC', 4, 4)).not.toThrow();
  const below = thrown(() => checkNewOnHand('ABC', 3, 4));
  expect([below.code, below.reason, below.metadata]).toEqual([
    status.FAILED_PRECONDITION,
    'BELOW_RESERVED',
    { sku: 'ABC', onHand: '3', reserved: '4' },
  ]);
  expect(thrown(() => checkNewOnHand('ABC', -1, 0)).reason).toBe('BELOW_RESERVED');
  expect(thrown(() => checkNewOnHand('ABC', 1_000_001, 0)).reason).toBe('ON_HAND_LIMIT_EXCEEDED');
});

describe('answerAdjustmentRepeat', () => {
  const stored = {
    adjustmentId: 'adj',
    sku: 'ABC',
    delta: 5,
    note: 'n',
    onHandAfter: 15,
    reservedAfter: 2,
  };
  test('answers the stored result for the same payload', () => {
    expect(answerAdjustmentRepeat(stored, { sku: 'ABC', delta: 5, note: 'n' })).toEqual({
      sku: 'ABC',
      onHand: 15,
      reserved: 2,
      available: 13,
    });
  });
  test.each([
    { sku: 'ABD', delta: 5, note: 'n' },
    { sku: 'ABC', delta: 6, note: 'n' },
    { sku: 'ABC', delta: 5, note: 'other' },
  ])('refuses another payload %o', (req) => {
    const e = thrown(() => answerAdjustmentRepeat(stored, req));
    expect([e.code, e.reason]).toEqual([status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED']);
  });
});
