import { status } from '@grpc/grpc-js';
import type { DomainError } from '@meshcart/kit';
import {
  answerCancel,
  answerDispatch,
  answerExistingCreate,
  answerRelease,
  isDispatchable,
  newTrackingNumber,
  requestHash,
  type Shipment,
  type ShipmentRequest,
} from './shipment';

const req: ShipmentRequest = {
  shipmentId: 's-1',
  orderId: 'o-1',
  address: { recipient: 'A', lines: ['L1'], city: 'C', postalCode: '10117', countryCode: 'DE' },
  items: [{ sku: 'A', quantity: 1 }],
};
const shipment = (
  status: Shipment['status'],
  hash = requestHash(req),
  releasedAt: Date | null = null,
): Shipment => ({
  id: 's-1',
  status,
  releasedAt,
  details: {
    orderId: 'o-1',
    address: req.address,
    items: req.items,
    trackingNumber: 'MC1',
    requestHash: hash,
  },
  createdAt: new Date(0),
  updatedAt: new Date(0),
});
const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return [(e as DomainError).code, (e as DomainError).reason];
  }
  return 'no error';
};

test('the request hash changes with any part of the request', () => {
  const h = requestHash(req);
  expect(requestHash({ ...req, shipmentId: 'other' })).toBe(h); // the id is the key, not payload
  expect(requestHash({ ...req, orderId: 'o-2' })).not.toBe(h);
  expect(requestHash({ ...req, address: { ...req.address, lines: ['L1', ''] } })).not.toBe(h);
  expect(requestHash({ ...req, items: [{ sku: 'A', quantity: 2 }] })).not.toBe(h);
});

test('tracking numbers: MC + 12 unambiguous characters, unique in practice', () => {
  const all = new Set(Array.from({ length: 1000 }, newTrackingNumber));
  expect(all.size).toBe(1000);
  for (const t of all) expect(t).toMatch(/^MC[0-9A-HJ-NP-Z]{12}$/);
});

test('repeats and transitions', () => {
  expect(answerExistingCreate(shipment('DISPATCHED'), requestHash(req)).status).toBe('DISPATCHED');
  expect(reasonOf(() => answerExistingCreate(shipment('CREATED', 'x'), requestHash(req)))).toEqual([
    status.ALREADY_EXISTS,
    'IDEMPOTENCY_KEY_REUSED',
  ]);
  expect(
    reasonOf(() => answerExistingCreate({ ...shipment('CANCELLED'), details: null }, 'x')),
  ).toEqual([status.FAILED_PRECONDITION, 'SHIPMENT_CANCELLED']);
  expect(reasonOf(() => answerCancel(shipment('DISPATCHED')))).toEqual([
    status.FAILED_PRECONDITION,
    'ALREADY_DISPATCHED',
  ]);
  expect(reasonOf(() => answerDispatch(shipment('CANCELLED'), 's-1'))).toEqual([
    status.FAILED_PRECONDITION,
    'SHIPMENT_CANCELLED',
  ]);
  expect(reasonOf(() => answerDispatch(null, 's-1'))).toEqual([
    status.NOT_FOUND,
    'SHIPMENT_NOT_FOUND',
  ]);
});

test('dispatch only once released: an unreleased CREATED shipment is refused NOT_RELEASED_FOR_DISPATCH', () => {
  const released = shipment('CREATED', requestHash(req), new Date(1));
  expect(isDispatchable(released)).toBe(true);
  expect(isDispatchable(shipment('CREATED'))).toBe(false);
  expect(isDispatchable({ ...shipment('DISPATCHED'), releasedAt: new Date(1) })).toBe(false);
  expect(isDispatchable({ ...shipment('CANCELLED'), releasedAt: new Date(1) })).toBe(false);
  // Still CREATED after the conditional UPDATE: it was not released.
  expect(reasonOf(() => answerDispatch(shipment('CREATED'), 's-1'))).toEqual([
    status.FAILED_PRECONDITION,
    'NOT_RELEASED_FOR_DISPATCH',
  ]);
  expect(answerDispatch(shipment('DISPATCHED'), 's-1').status).toBe('DISPATCHED');
});

test('release: idempotent on released and dispatched shipments, refused once cancelled', () => {
  const released = shipment('CREATED', requestHash(req), new Date(1));
  expect(answerRelease(released, 's-1')).toBe(released);
  expect(answerRelease(shipment('DISPATCHED'), 's-1').status).toBe('DISPATCHED');
  expect(reasonOf(() => answerRelease(shipment('CANCELLED', 'x', new Date(1)), 's-1'))).toEqual([
    status.FAILED_PRECONDITION,
    'SHIPMENT_CANCELLED',
  ]);
  expect(reasonOf(() => answerRelease(null, 's-1'))).toEqual([
    status.NOT_FOUND,
    'SHIPMENT_NOT_FOUND',
  ]);
});
