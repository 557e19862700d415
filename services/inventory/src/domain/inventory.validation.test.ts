import { status } from '@grpc/grpc-js';
import { DomainError } from '@meshcart/kit';
import {
  validateAdjustStock,
  validateReservationId,
  validateReserve,
  validateSetStock,
  validateSku,
} from './inventory.validation';

const fields = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError && e.code === status.INVALID_ARGUMENT)
      return e.violations.map((v) => v.field);
    throw e;
  }
  return [];
};

describe('validateReserve', () => {
  test('accepts a valid request and returns canonical items', () => {
    const out = validateReserve({
      reservationId: 'order_1-A',
      items: [
        { sku: 'B-100', quantity: 1000 },
        { sku: 'A00', quantity: 1 },
      ],
    });
    expect(out.items.map((i) => i.sku)).toEqual(['A00', 'B-100']);
  });

  test('reports every problem with lowerCamelCase paths; a duplicate is reported on the later item', () => {
    expect(
      fields(() =>
        validateReserve({
          reservationId: 'x'.repeat(65),
          items: [
            { sku: 'AB', quantity: 1 },
            { sku: 'A00', quantity: 0 },
            { sku: '-AB', quantity: 1.5 },
            { sku: 'A00', quantity: 1 },
          ],
        }),
      ),
    ).toEqual([
      'reservationId',
      'items[0].sku',
      'items[1].quantity',
      'items[2].sku',
      'items[2].quantity',
      'items[3].sku',
    ]);
  });

  test('item count is 1-100', () => {
    expect(fields(() => validateReserve({ reservationId: 'o', items: [] }))).toEqual(['items']);
    const items = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ sku: `S-${i}`, quantity: 1 }));
    expect(fields(() => validateReserve({ reservationId: 'o', items: items(100) }))).toEqual([]);
    expect(fields(() => validateReserve({ reservationId: 'o', items: items(101) }))).toEqual([
      'items',
    ]);
  });

  test('sku pattern: upper case letters, digits and dashes, 3-32, not starting with a dash', () => {
    for (const ok of ['ABC', 'A-1', '0-0', 'A'.repeat(32)])
      expect(fields(() => validateSku(ok))).toEqual([]);
    for (const bad of ['AB', 'abc', '-AB', 'A_B', 'A'.repeat(33), 'ÄBC', ''])
      expect(fields(() => validateSku(bad))).toEqual(['sku']);
  });

  test('ids: 1-64 of A-Z a-z 0-9 _ -', () => {
    for (const ok of ['a', 'A_b-9', 'x'.repeat(64)])
      expect(fields(() => validateReservationId(ok))).toEqual([]);
    for (const bad of ['', 'a b', 'a/b', 'x'.repeat(65)])
      expect(fields(() => validateReservationId(bad))).toEqual(['reservationId']);
  });
});

describe('admin requests', () => {
  test('SetStock: onHand 0-1,000,000 and a note of at most 500 characters', () => {
    expect(fields(() => validateSetStock({ sku: 'ABC', onHand: 0, note: '' }))).toEqual([]);
    expect(
      fields(() => validateSetStock({ sku: 'ABC', onHand: 1_000_000, note: 'n'.repeat(500) })),
    ).toEqual([]);
    expect(
      fields(() => validateSetStock({ sku: 'ABC', onHand: 1_000_001, note: 'n'.repeat(501) })),
    ).toEqual(['onHand', 'note']);
  });

  test('AdjustStock: non-zero delta within ±1,000,000', () => {
    expect(
      fields(() => validateAdjustStock({ adjustmentId: 'a', sku: 'ABC', delta: -5, note: '' })),
    ).toEqual([]);
    expect(
      fields(() => validateAdjustStock({ adjustmentId: 'a', sku: 'ABC', delta: 0, note: '' })),
    ).toEqual(['delta']);
    expect(
      fields(() =>
        validateAdjustStock({ adjustmentId: 'a b', sku: 'ABC', delta: 1_000_001, note: '' }),
      ),
    ).toEqual(['adjustmentId', 'delta']);
  });
});
