import type { Payment, PaymentStatus } from '../domain/payment';
import { planEvent } from './provider-events.app';

const payment = (status: PaymentStatus): Payment => ({
  id: 'p',
  status,
  terms: { orderId: 'o', amount: { currency: 'EUR', minor: 100n }, tokenHash: 'h' },
  captured: 0n,
  refunded: 0n,
  providerReference: null,
  providerAttempts: 1,
  authorizeKeyGeneration: 0,
  ledger: [],
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

test('a PENDING payment is settled by late authorization outcomes only', () => {
  expect(planEvent(payment('PENDING'), 'payment_intent.amount_capturable_updated')).toBe(
    'authorized',
  );
  expect(planEvent(payment('PENDING'), 'payment_intent.succeeded')).toBe('authorized');
  expect(planEvent(payment('PENDING'), 'payment_intent.payment_failed')).toBe('declined');
  expect(planEvent(payment('PENDING'), 'payment_intent.canceled')).toBe('declined');
  expect(planEvent(payment('PENDING'), 'charge.dispute.created')).toBe('ignored');
});

test('trouble after money moved asks for attention; our own void and settled states do not', () => {
  expect(planEvent(payment('CAPTURED'), 'charge.dispute.created')).toBe('attention');
  expect(planEvent(payment('PARTIALLY_REFUNDED'), 'refund.failed')).toBe('attention');
  expect(planEvent(payment('AUTHORIZED'), 'payment_intent.canceled')).toBe('attention'); // expired
  expect(planEvent(payment('VOIDED'), 'payment_intent.canceled')).toBe('ignored'); // our void
  expect(planEvent(payment('AUTHORIZED'), 'payment_intent.amount_capturable_updated')).toBe(
    'ignored',
  );
  expect(planEvent(payment('DECLINED'), 'payment_intent.payment_failed')).toBe('ignored');
});
