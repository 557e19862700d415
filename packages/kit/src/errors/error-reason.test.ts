import { status } from '@grpc/grpc-js';
import { DomainError, errors } from './domain-error';
import { ErrorReason, isReason, reasonFromWire, reasonToWire } from './error-reason';
import { readErrorDetails, domainErrorToStatus } from './status-details';

test('the wire form is the enum name without its prefix, both ways, for every value', () => {
  const values = Object.values(ErrorReason).filter(
    (r): r is ErrorReason =>
      typeof r === 'number' && r !== ErrorReason.ERROR_REASON_UNSPECIFIED && r !== -1,
  );
  expect(values.length).toBeGreaterThan(60);
  for (const r of values) {
    const wire = reasonToWire(r);
    expect(wire).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(`ERROR_REASON_${wire}`).toBe(ErrorReason[r]);
    expect(reasonFromWire(wire)).toBe(r);
  }
  expect(reasonToWire(ErrorReason.ERROR_REASON_ALREADY_DISPATCHED)).toBe('ALREADY_DISPATCHED');
});

test('unknown, prefixed or missing wire strings are UNRECOGNIZED; UNSPECIFIED is never sent', () => {
  for (const w of ['NOPE', 'ERROR_REASON_OUT_OF_STOCK', 'UNSPECIFIED', '', undefined])
    expect(reasonFromWire(w)).toBe(ErrorReason.UNRECOGNIZED);
  expect(() => reasonToWire(ErrorReason.ERROR_REASON_UNSPECIFIED)).toThrow();
  expect(() => reasonToWire(ErrorReason.UNRECOGNIZED)).toThrow();
  expect(isReason('OUT_OF_STOCK', ErrorReason.ERROR_REASON_OUT_OF_STOCK)).toBe(true);
  expect(isReason(undefined, ErrorReason.ERROR_REASON_OUT_OF_STOCK)).toBe(false);
});

test('a DomainError built from the enum carries the short wire reason in ErrorInfo', () => {
  const e = errors.failedPrecondition(ErrorReason.ERROR_REASON_OUT_OF_STOCK);
  expect(e).toBeInstanceOf(DomainError);
  expect(e.reason).toBe('OUT_OF_STOCK');
  const back = readErrorDetails(domainErrorToStatus(e, 'inventory.meshcart'));
  expect([back.code, back.reason, back.domain]).toEqual([
    status.FAILED_PRECONDITION,
    'OUT_OF_STOCK',
    'inventory.meshcart',
  ]);
});
