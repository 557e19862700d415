/** The order id as a correlation: where it is read from, and what is refused. */
import { orderWorkflowId } from './index';
import { orderCorrelation } from './correlation';

test.each([
  [{ orderId: 'o-1' }, 'o-1'],
  [{ orderId: '' }, undefined],
  [{ orderId: 'x'.repeat(65) }, undefined],
  [{ orderId: 42 }, undefined],
  [{ sku: 'A1' }, undefined],
  [undefined, undefined],
])('a request %j carries %p', (request, id) => {
  expect(orderCorrelation.ofRequest(request)).toBe(id);
});

test('an answer carries the id of the order it returns (PlaceOrder learns it there)', () => {
  expect(orderCorrelation.ofResponse?.({ order: { id: 'o-2' } })).toBe('o-2');
  expect(orderCorrelation.ofResponse?.({ orders: [] })).toBeUndefined();
});

test('a saga workflow id carries its order id; other workflow ids carry none', () => {
  expect(orderCorrelation.ofWorkflowId?.(orderWorkflowId('o-3'))).toBe('o-3');
  expect(orderCorrelation.ofWorkflowId?.('cart-o-3')).toBeUndefined();
  expect(orderCorrelation.ofWorkflowId?.('order-')).toBeUndefined();
});
