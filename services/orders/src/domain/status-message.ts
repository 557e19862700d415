import type { OrderStatus } from './order';

/**
 * What a customer is told about their order: one sentence per status and cancellation reason,
 * never the saga's step names, failing calls or the operator-facing status detail (those are
 * for OrderAdminService.GetOrderDetails). A reason without a sentence of its own gets the
 * generic one, so a new internal reason cannot leak to customers.
 */
const CANCELLED_BECAUSE: Readonly<Record<string, string>> = {
  PAYMENT_DECLINED: 'Payment was declined',
  OUT_OF_STOCK: 'An item is out of stock',
  DESTINATION_NOT_SERVED: 'We cannot ship to this address',
  CANCELLED_BY_CUSTOMER: 'Cancelled at your request',
  AUTHORIZATION_EXPIRED: 'The payment authorization expired before the order could be shipped',
  PAYMENT_METHOD_EXPIRED: 'The payment details expired before payment; please order again',
  // The orphan reconciler: the order was saved but could not be processed; nothing was charged.
  SAGA_NOT_STARTED: 'We could not process this order and nothing was charged; please order again',
};

const BY_STATUS: Readonly<Record<OrderStatus, string>> = {
  PENDING: 'We are processing your order',
  CONFIRMED: 'Your order is confirmed',
  CANCELLED: 'Your order was cancelled',
  // An operator is on it; the customer is not told what failed.
  NEEDS_ATTENTION: 'We are looking into a problem with your order',
};

export function customerStatusMessage(status: OrderStatus, cancellationReason: string): string {
  if (status === 'CANCELLED') return CANCELLED_BECAUSE[cancellationReason] ?? BY_STATUS.CANCELLED;
  return BY_STATUS[status] ?? '';
}
