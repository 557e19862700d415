import type { OrderSagaInput } from '@meshcart/saga/contract';
import type { Order } from '../domain/order';

/** The port to the order saga: the only way the service starts or cancels one. */
export interface SagaGateway {
  /**
   * Starts the saga of an order. Idempotent: while a saga for the order runs, or after it
   * closed, this does nothing (never a second saga). Transport failures reject (UNAVAILABLE).
   */
  start(input: OrderSagaInput, opts?: { deadline?: Date }): Promise<void>;
  /**
   * Asks the saga to cancel the order. Resolves once the saga accepted; rejects with a
   * DomainError FAILED_PRECONDITION reason ALREADY_DISPATCHED or CANCELLATION_WINDOW_CLOSED
   * (also when no saga runs for the order any more).
   */
  cancel(orderId: string, opts?: { deadline?: Date }): Promise<void>;
  /**
   * Whether the order's saga exists in Temporal (running or closed: any execution with its
   * workflow id). The one source of truth for "this order has no saga"; transport failures
   * reject (UNAVAILABLE), never answer false.
   */
  exists(orderId: string, opts?: { deadline?: Date }): Promise<boolean>;
}

/** The saga's input for an order: the vaulted payment method's id, never the card token. */
export function sagaInputOf(order: Order, paymentMethodId: string): OrderSagaInput {
  const a = order.shippingAddress;
  return {
    orderId: order.id,
    userId: order.userId,
    items: order.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
    total: { currencyCode: order.currencyCode, amountMinor: order.totalMinor.toString() },
    shippingAddress: {
      recipient: a.recipient,
      lines: [...a.lines],
      city: a.city,
      postalCode: a.postalCode,
      countryCode: a.countryCode,
    },
    paymentMethodId,
  };
}
