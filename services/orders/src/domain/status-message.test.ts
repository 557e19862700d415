import { customerStatusMessage } from './status-message';

test.each([
  ['CANCELLED', 'PAYMENT_DECLINED', 'Payment was declined'],
  ['CANCELLED', 'OUT_OF_STOCK', 'An item is out of stock'],
  ['CANCELLED', 'CANCELLED_BY_CUSTOMER', 'Cancelled at your request'],
  [
    'CANCELLED',
    'SAGA_NOT_STARTED',
    'We could not process this order and nothing was charged; please order again',
  ],
  ['PENDING', '', 'We are processing your order'],
  ['CONFIRMED', '', 'Your order is confirmed'],
] as const)('%s %s: %s', (status, reason, message) => {
  expect(customerStatusMessage(status, reason)).toBe(message);
});

test('internal reasons and NEEDS_ATTENTION get a generic sentence, never the reason itself', () => {
  for (const reason of ['STEP_TIMED_OUT', 'SAGA_CANCELLED', 'TOKEN_INVALID', 'STEP_FAILED']) {
    const m = customerStatusMessage('CANCELLED', reason);
    expect(m).toBe('Your order was cancelled');
  }
  expect(customerStatusMessage('NEEDS_ATTENTION', '')).toBe(
    'We are looking into a problem with your order',
  );
});
