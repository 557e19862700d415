import { DomainError } from '@meshcart/kit';
import type { OrderStatus } from './order';
import { decideProgress, validateProgress, type RawProgressRecord } from './progress';

const STATUSES: OrderStatus[] = ['PENDING', 'CONFIRMED', 'CANCELLED', 'NEEDS_ATTENTION'];
const LEGAL = new Set([
  'PENDING>PENDING',
  'PENDING>CONFIRMED',
  'PENDING>CANCELLED',
  'PENDING>NEEDS_ATTENTION',
  'CONFIRMED>CONFIRMED',
  'CONFIRMED>CANCELLED',
  'CONFIRMED>NEEDS_ATTENTION',
]);

test.each(STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const)))(
  '%s -> %s',
  (from, to) => {
    const d = decideProgress({ status: from, lastSequence: 1n }, { sequence: 2n, status: to });
    const terminal = from === 'CANCELLED' || from === 'NEEDS_ATTENTION';
    expect(d).toEqual(
      LEGAL.has(`${from}>${to}`)
        ? {
            applied: true,
            changes: { status: to, lastSequence: 2n },
          }
        : { applied: false, because: terminal ? 'TERMINAL_ORDER' : 'ILLEGAL_TRANSITION' },
    );
  },
);

test('a sequence not above the last applied one is stale, even on a terminal order', () => {
  expect(
    decideProgress({ status: 'PENDING', lastSequence: 5n }, { sequence: 5n, step: 'X' }),
  ).toEqual({ applied: false, because: 'STALE_SEQUENCE' });
  expect(decideProgress({ status: 'CANCELLED', lastSequence: 5n }, { sequence: 4n })).toEqual({
    applied: false,
    because: 'STALE_SEQUENCE',
  });
});

test('a record without status keeps the status and only moves the other fields', () => {
  expect(
    decideProgress(
      { status: 'CONFIRMED', lastSequence: 0n },
      { sequence: 1n, paymentStatus: 'CAPTURED', step: 'CAPTURE_PAYMENT' },
    ),
  ).toEqual({
    applied: true,
    changes: {
      paymentStatus: 'CAPTURED',
      step: 'CAPTURE_PAYMENT',
      lastSequence: 1n,
    },
  });
});

const raw = (r: Partial<RawProgressRecord> = {}): RawProgressRecord => ({
  orderId: 'o-1',
  sequence: '1',
  status: 'UNSPECIFIED',
  cancellationReason: '',
  paymentStatus: 'UNSPECIFIED',
  shipmentStatus: 'UNSPECIFIED',
  step: '',
  statusDetail: '',
  ...r,
});
const violations = (r: RawProgressRecord) => {
  try {
    validateProgress(r);
    return [];
  } catch (e) {
    return (e as DomainError).violations.map((v) => v.field);
  }
};

test('validation drops unspecified fields and checks the rest', () => {
  expect(
    validateProgress(
      raw({
        sequence: '9223372036854775807',
        status: 'CANCELLED',
        cancellationReason: 'OUT_OF_STOCK',
      }),
    ),
  ).toEqual({
    sequence: 2n ** 63n - 1n,
    status: 'CANCELLED',
    cancellationReason: 'OUT_OF_STOCK',
    paymentStatus: undefined,
    shipmentStatus: undefined,
    step: undefined,
    statusDetail: undefined,
  });
  expect(violations(raw({ sequence: '9223372036854775808' }))).toEqual(['sequence']);
  expect(violations(raw({ sequence: '01' }))).toEqual(['sequence']);
  expect(
    violations(raw({ paymentStatus: 'UNRECOGNIZED', shipmentStatus: 'UNRECOGNIZED' })),
  ).toEqual(['paymentStatus', 'shipmentStatus']);
  expect(violations(raw({ status: 'CANCELLED', cancellationReason: '  ' }))).toEqual([
    'cancellationReason',
  ]);
});

test('texts are clipped to their columns, never refused; a reason without CANCELLED is ignored', () => {
  const r = validateProgress(
    raw({
      status: 'CANCELLED',
      cancellationReason: 'GrpcCallError'.repeat(9),
      step: 'S'.repeat(40),
      statusDetail: '✓'.repeat(1200),
    }),
  );
  expect([
    r.cancellationReason?.length,
    r.step?.length,
    [...(r.statusDetail ?? '')].length,
  ]).toEqual([64, 32, 1000]);
  expect(
    validateProgress(raw({ status: 'NEEDS_ATTENTION', cancellationReason: 'X' }))
      .cancellationReason,
  ).toBeUndefined();
});
