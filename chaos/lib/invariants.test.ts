import { checkRound, type RoundEvidence } from './invariants';
import type { OrderRecord } from './orders-driver';

const order = (over: Partial<OrderRecord>): OrderRecord => ({
  requestId: 'run-r1-0',
  user: 0,
  paymentToken: 'tok_visa',
  items: [{ sku: 'A', quantity: 2 }],
  id: 'o1',
  status: 'ORDER_STATUS_CONFIRMED',
  ...over,
});

const evidence = (over: Partial<RoundEvidence>): RoundEvidence => ({
  orders: [order({})],
  listed: [[{ id: 'o1', status: 'ORDER_STATUS_CONFIRMED', requestId: 'run-r1-0' }]],
  requestIdPrefix: 'run-r1',
  before: { A: { onHand: 10, reserved: 0 } },
  after: { A: { onHand: 8, reserved: 0 } },
  extremes: { samples: 3, minOnHand: 8, minReserved: 0, maxOverReserved: -8 },
  ...over,
});

test('a clean round has no problems', () => {
  expect(checkRound(evidence({}))).toEqual([]);
});

test('an order still pending, a lost order and a duplicate are each a problem', () => {
  expect(
    checkRound(evidence({ orders: [order({ status: 'ORDER_STATUS_PENDING' })] })),
  ).toHaveLength(1);
  expect(checkRound(evidence({ listed: [[]] })).length).toBeGreaterThan(0);
  const twice = { id: 'o2', status: 'ORDER_STATUS_CONFIRMED', requestId: 'run-r1-0' };
  expect(
    checkRound(evidence({ listed: [[evidence({}).listed[0]![0]!, twice]] })).length,
  ).toBeGreaterThan(0);
});

test('a declined card that ends CONFIRMED is a problem', () => {
  expect(checkRound(evidence({ orders: [order({ paymentToken: 'tok_decline' })] }))).toHaveLength(
    1,
  );
});

test('stock that does not balance with the confirmed orders, or went negative, is a problem', () => {
  expect(checkRound(evidence({ after: { A: { onHand: 7, reserved: 0 } } }))).toHaveLength(1);
  expect(checkRound(evidence({ after: { A: { onHand: 8, reserved: 1 } } }))).toHaveLength(1);
  expect(
    checkRound(
      evidence({ extremes: { samples: 1, minOnHand: -1, minReserved: 0, maxOverReserved: 0 } }),
    ),
  ).toHaveLength(1);
});
