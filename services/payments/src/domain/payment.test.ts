import { status } from '@grpc/grpc-js';
import type { DomainError } from '@meshcart/kit';
import {
  invariantProblems,
  planAuthorize,
  planCapture,
  planRefund,
  planVoid,
  type Payment,
  type PaymentStatus,
} from './payment';

const eur = (minor: bigint) => ({ currency: 'EUR', minor });
const terms = { orderId: 'o-1', amount: eur(1000n), tokenHash: 'h' };
const payment = (status: PaymentStatus, over: Partial<Payment> = {}): Payment => ({
  id: 'p-1',
  status,
  terms,
  captured: 0n,
  refunded: 0n,
  providerReference: null,
  providerAttempts: 0,
  authorizeKeyGeneration: 0,
  ledger: [],
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});
const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return [(e as DomainError).code, (e as DomainError).reason];
  }
  return 'no error';
};

test('authorize: PENDING calls the provider, decided payments answer or refuse', () => {
  expect(planAuthorize(payment('PENDING'), terms)).toBe('call-provider');
  expect(planAuthorize(payment('CAPTURED'), terms)).toBe('answer');
  expect(reasonOf(() => planAuthorize(payment('DECLINED'), terms))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_DECLINED',
  ]);
  expect(reasonOf(() => planAuthorize(payment('VOIDED', { terms: null }), terms))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_VOIDED',
  ]);
  expect(
    reasonOf(() => planAuthorize(payment('AUTHORIZED'), { ...terms, tokenHash: 'other' })),
  ).toEqual([status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED']);
});

test('capture and void follow the state machine', () => {
  expect(planCapture(payment('AUTHORIZED'), 'p-1')).toBe('capture');
  expect(planCapture(payment('REFUNDED'), 'p-1')).toBe('answer');
  expect(reasonOf(() => planCapture(null, 'p-1'))).toEqual([status.NOT_FOUND, 'PAYMENT_NOT_FOUND']);
  expect(reasonOf(() => planCapture(payment('PENDING'), 'p-1'))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_NOT_AUTHORIZED',
  ]);
  expect(planVoid(payment('AUTHORIZED'))).toBe('void');
  expect(planVoid(payment('PENDING'))).toBe('close-pending');
  expect(planVoid(payment('DECLINED'))).toBe('answer');
  expect(reasonOf(() => planVoid(payment('CAPTURED')))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_ALREADY_CAPTURED',
  ]);
});

test('refund: up to captured - refunded, status follows the remaining amount', () => {
  const p = payment('PARTIALLY_REFUNDED', { captured: 1000n, refunded: 400n });
  const req = (minor: bigint) => ({ refundId: 'r', paymentId: 'p-1', amount: eur(minor) });
  expect(planRefund(p, req(100n), null)).toEqual({
    kind: 'refund',
    refunded: 500n,
    status: 'PARTIALLY_REFUNDED',
  });
  expect(planRefund(p, req(600n), null)).toEqual({
    kind: 'refund',
    refunded: 1000n,
    status: 'REFUNDED',
  });
  expect(reasonOf(() => planRefund(p, req(601n), null))).toEqual([
    status.FAILED_PRECONDITION,
    'REFUND_EXCEEDS_CAPTURED',
  ]);
  expect(planRefund(p, req(100n), req(100n))).toEqual({ kind: 'answer' });
  expect(reasonOf(() => planRefund(p, req(100n), req(99n)))).toEqual([
    status.ALREADY_EXISTS,
    'IDEMPOTENCY_KEY_REUSED',
  ]);
  expect(reasonOf(() => planRefund(payment('AUTHORIZED'), req(1n), null))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_NOT_CAPTURED',
  ]);
});

test('invariantProblems spots a ledger that disagrees with the amounts', () => {
  const entry = (kind: 'AUTHORIZATION' | 'CAPTURE' | 'REFUND', minor: bigint) => ({
    sequence: 1n,
    kind,
    amount: eur(minor),
    reference: '',
    createdAt: new Date(0),
  });
  const ok = payment('CAPTURED', {
    captured: 1000n,
    ledger: [entry('AUTHORIZATION', 1000n), entry('CAPTURE', 1000n)],
  });
  expect(invariantProblems(ok)).toEqual([]);
  expect(invariantProblems({ ...ok, refunded: 10n })).not.toEqual([]);
  expect(invariantProblems({ ...ok, status: 'AUTHORIZED' })).not.toEqual([]);
});
