/**
 * @meshcart/saga/correlation: the order id as a kit correlation. Every saga call carries it
 * (request field `order_id`; an Order's `id` in PlaceOrder's answer; the workflow id
 * `order-<id>`), so a process that declares it (runService's `correlations`, the saga worker's
 * telemetry) gets `meshcart.order_id` on its spans and `order_id` on its log lines, and one
 * trace search finds every hop of an order.
 */
import { idField, tagCorrelation, type Correlation } from '@meshcart/kit';
import { orderIdOfWorkflowId } from './workflow-id';

export const ORDER_ID_ATTR = 'meshcart.order_id';

export const orderCorrelation: Correlation = {
  spanAttribute: ORDER_ID_ATTR,
  logKey: 'order_id',
  ofRequest: (message) => idField(message, 'orderId'),
  ofResponse: (message) => idField((message as { order?: unknown } | undefined)?.order, 'id'),
  ofWorkflowId: orderIdOfWorkflowId,
};

/** Tags the active span with an order id a handler learned itself (PlaceOrder's new order). */
export function tagOrderId(orderId: string | undefined): void {
  tagCorrelation(orderCorrelation, orderId);
}
