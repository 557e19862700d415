/** Activities over fake typed clients: request mapping, error mapping, the undo fallbacks. */
import { status } from '@grpc/grpc-js';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { DomainError, domainErrorToStatus, GrpcCallError, type WireReason } from '@meshcart/kit';
import { OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { ReservationStatus } from '@meshcart/proto/shop/inventory/v1/inventory';
import { ShipmentStatus } from '@meshcart/proto/shop/shipping/v1/shipping';
import { createActivities, type ActivityDeps } from './saga.activities';
import { IDENTITY_CODES, toActivityFailure } from './errors';

/** A failed call as the kit client reports it (ErrorInfo reason in the status details). */
const grpcError = (code: status, reason?: WireReason) =>
  new GrpcCallError(
    '/x.v1.S/M',
    reason
      ? domainErrorToStatus(new DomainError(code, { reason }), 'test.meshcart')
      : { code, details: 'boom' },
  );

function fakes() {
  const fn = () => jest.fn();
  const deps = {
    reservations: {
      reserveStock: fn(),
      releaseReservation: fn(),
      commitReservation: fn(),
      returnReservation: fn(),
    },
    payments: {
      authorizePayment: fn(),
      capturePayment: fn(),
      voidAuthorization: fn(),
      refundPayment: fn(),
      getPayment: fn(),
    },
    shipping: { createShipment: fn(), cancelShipment: fn(), releaseShipment: fn() },
    orderSaga: { recordOrderProgress: fn() },
  };
  return { deps, acts: createActivities(deps as unknown as ActivityDeps) };
}

const quiet = new DefaultLogger('ERROR');
const run = <A extends unknown[], R>(f: (...a: A) => Promise<R>, ...args: A) =>
  new MockActivityEnvironment(undefined, { logger: quiet }).run(f, ...args);
const total = { currencyCode: 'EUR', amountMinor: '2599' };

describe('toActivityFailure', () => {
  test.each<[status, WireReason]>([
    [status.FAILED_PRECONDITION, 'OUT_OF_STOCK'],
    [status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED'],
    [status.NOT_FOUND, 'SKU_NOT_FOUND'],
  ])('business code %s %s: non-retryable, type = reason', (code, reason) => {
    const f = toActivityFailure(grpcError(code, reason)) as ApplicationFailure;
    expect([f.type, f.nonRetryable]).toEqual([reason, true]);
  });

  test('code INVALID_ARGUMENT without reason: non-retryable, type = code name', () => {
    const f = toActivityFailure(grpcError(status.INVALID_ARGUMENT)) as ApplicationFailure;
    expect([f.type, f.nonRetryable]).toEqual(['INVALID_ARGUMENT', true]);
  });

  // The worker calls as its own identity: these are configuration faults (a key not rolled out,
  // a policy out of step), retried until fixed, never an order's cancellation reason.
  test.each<[status, WireReason]>([
    [status.UNAUTHENTICATED, 'TOKEN_INVALID'],
    [status.UNAUTHENTICATED, 'TOKEN_EXPIRED'],
    [status.UNAUTHENTICATED, 'TOKEN_MISSING'],
    [status.PERMISSION_DENIED, 'METHOD_NOT_IN_CALL_GRAPH'],
    [status.PERMISSION_DENIED, 'ROLE_REQUIRED'],
  ])('identity fault %s %s: retryable, type = reason', (code, reason) => {
    expect(IDENTITY_CODES.has(code)).toBe(true);
    const f = toActivityFailure(grpcError(code, reason)) as ApplicationFailure;
    expect([f.type, f.nonRetryable]).toEqual([reason, false]);
    expect(f.details?.[0]).toMatchObject({ code: status[code], reason });
  });

  test.each([status.UNAUTHENTICATED, status.PERMISSION_DENIED])(
    'identity fault %s without reason (e.g. the typed client refusing a method): retryable',
    (code) => {
      const f = toActivityFailure(grpcError(code)) as ApplicationFailure;
      expect([f.type, f.nonRetryable]).toEqual([status[code], false]);
    },
  );

  test.each([
    status.UNAVAILABLE,
    status.DEADLINE_EXCEEDED,
    status.RESOURCE_EXHAUSTED,
    status.ABORTED,
    status.INTERNAL,
  ])('code %s: retryable', (code) => {
    const f = toActivityFailure(grpcError(code)) as ApplicationFailure;
    expect([f.type, f.nonRetryable]).toEqual([status[code], false]);
  });

  test('a transient reason is kept as the type (PROVIDER_UNAVAILABLE)', () => {
    const f = toActivityFailure(
      grpcError(status.UNAVAILABLE, 'PROVIDER_UNAVAILABLE'),
    ) as ApplicationFailure;
    expect([f.type, f.nonRetryable]).toEqual(['PROVIDER_UNAVAILABLE', false]);
  });

  test('anything else is rethrown as is (retryable)', () => {
    const e = new Error('token signing failed');
    expect(toActivityFailure(e)).toBe(e);
  });
});

test('every id is the order id', async () => {
  const { deps, acts } = fakes();
  deps.reservations.reserveStock.mockResolvedValue({
    reservation: { status: ReservationStatus.RESERVATION_STATUS_ACTIVE },
  });
  deps.payments.authorizePayment.mockResolvedValue({
    payment: { status: PaymentStatus.PAYMENT_STATUS_AUTHORIZED },
  });
  const items = [{ sku: 'A', quantity: 1 }];
  expect(await run(acts.reserveStock, { orderId: 'o1', items })).toBe('RESERVATION_STATUS_ACTIVE');
  expect(deps.reservations.reserveStock).toHaveBeenCalledWith({ reservationId: 'o1', items });
  const pm = 'pm_00000000-0000-4000-8000-000000000001';
  expect(
    await run(acts.authorizePayment, { orderId: 'o1', amount: total, paymentMethodId: pm }),
  ).toBe('PAYMENT_STATUS_AUTHORIZED');
  expect(deps.payments.authorizePayment).toHaveBeenCalledWith({
    paymentId: 'o1',
    orderId: 'o1',
    amount: total,
    paymentMethodId: pm,
    paymentToken: '',
  });
  // A saga started before vaulting still carries the token: it is passed on as such.
  await run(acts.authorizePayment, { orderId: 'o2', amount: total, paymentToken: 'tok_visa' });
  expect(deps.payments.authorizePayment).toHaveBeenLastCalledWith({
    paymentId: 'o2',
    orderId: 'o2',
    amount: total,
    paymentMethodId: '',
    paymentToken: 'tok_visa',
  });
});

test('a business failure surfaces as a non-retryable ApplicationFailure with the reason', async () => {
  const { deps, acts } = fakes();
  deps.reservations.reserveStock.mockRejectedValue(
    grpcError(status.FAILED_PRECONDITION, 'OUT_OF_STOCK'),
  );
  await expect(run(acts.reserveStock, { orderId: 'o1', items: [] })).rejects.toMatchObject({
    type: 'OUT_OF_STOCK',
    nonRetryable: true,
  });
});

test('releaseReservation: a reservation committed meanwhile is returned instead', async () => {
  const { deps, acts } = fakes();
  deps.reservations.releaseReservation.mockRejectedValue(
    grpcError(status.FAILED_PRECONDITION, 'RESERVATION_COMMITTED'),
  );
  deps.reservations.returnReservation.mockResolvedValue({
    reservation: { status: ReservationStatus.RESERVATION_STATUS_RETURNED },
  });
  expect(await run(acts.releaseReservation, 'o1')).toBe('RESERVATION_STATUS_RETURNED');
  expect(deps.reservations.returnReservation).toHaveBeenCalledWith({ reservationId: 'o1' });
});

describe('voidPayment', () => {
  const input = { orderId: 'o1', refundId: 'o1-cancel', amount: total };

  test('voids an authorization (or records the tombstone for an unknown id)', async () => {
    const { deps, acts } = fakes();
    deps.payments.voidAuthorization.mockResolvedValue({
      payment: { status: PaymentStatus.PAYMENT_STATUS_VOIDED },
    });
    expect(await run(acts.voidPayment, input)).toBe('PAYMENT_STATUS_VOIDED');
    expect(deps.payments.refundPayment).not.toHaveBeenCalled();
  });

  test('a capture that landed first is refunded in full with the order refund id', async () => {
    const { deps, acts } = fakes();
    deps.payments.voidAuthorization.mockRejectedValue(
      grpcError(status.FAILED_PRECONDITION, 'PAYMENT_NOT_AUTHORIZED'),
    );
    deps.payments.getPayment.mockResolvedValue({
      payment: { status: PaymentStatus.PAYMENT_STATUS_CAPTURED },
    });
    deps.payments.refundPayment.mockResolvedValue({
      payment: { status: PaymentStatus.PAYMENT_STATUS_REFUNDED },
    });
    expect(await run(acts.voidPayment, input)).toBe('PAYMENT_STATUS_REFUNDED');
    expect(deps.payments.refundPayment).toHaveBeenCalledWith({
      refundId: 'o1-cancel',
      paymentId: 'o1',
      amount: total,
    });
  });

  test('a void answering CAPTURED is refunded too; a refunded one is left alone', async () => {
    const { deps, acts } = fakes();
    deps.payments.voidAuthorization.mockResolvedValueOnce({
      payment: { status: PaymentStatus.PAYMENT_STATUS_CAPTURED },
    });
    deps.payments.refundPayment.mockResolvedValue({
      payment: { status: PaymentStatus.PAYMENT_STATUS_REFUNDED },
    });
    expect(await run(acts.voidPayment, input)).toBe('PAYMENT_STATUS_REFUNDED');
    deps.payments.voidAuthorization.mockRejectedValueOnce(
      grpcError(status.FAILED_PRECONDITION, 'PAYMENT_NOT_AUTHORIZED'),
    );
    deps.payments.getPayment.mockResolvedValue({
      payment: { status: PaymentStatus.PAYMENT_STATUS_REFUNDED },
    });
    expect(await run(acts.voidPayment, input)).toBe('PAYMENT_STATUS_REFUNDED');
    expect(deps.payments.refundPayment).toHaveBeenCalledTimes(1);
  });
});

test('releaseShipment: keyed by the order id; a cancelled shipment is a non-retryable SHIPMENT_CANCELLED', async () => {
  const { deps, acts } = fakes();
  deps.shipping.releaseShipment.mockResolvedValueOnce({
    shipment: { status: ShipmentStatus.SHIPMENT_STATUS_CREATED },
  });
  expect(await run(acts.releaseShipment, 'o1')).toBe('SHIPMENT_STATUS_CREATED');
  expect(deps.shipping.releaseShipment).toHaveBeenCalledWith({ shipmentId: 'o1' });
  deps.shipping.releaseShipment.mockRejectedValueOnce(
    grpcError(status.FAILED_PRECONDITION, 'SHIPMENT_CANCELLED'),
  );
  await expect(run(acts.releaseShipment, 'o1')).rejects.toMatchObject({
    type: 'SHIPMENT_CANCELLED',
    nonRetryable: true,
  });
  deps.shipping.releaseShipment.mockRejectedValueOnce(grpcError(status.UNAVAILABLE));
  await expect(run(acts.releaseShipment, 'o1')).rejects.toMatchObject({ nonRetryable: false });
});

test('cancelShipment once dispatched: non-retryable ALREADY_DISPATCHED', async () => {
  const { deps, acts } = fakes();
  deps.shipping.cancelShipment.mockRejectedValue(
    grpcError(status.FAILED_PRECONDITION, 'ALREADY_DISPATCHED'),
  );
  await expect(run(acts.cancelShipment, 'o1')).rejects.toMatchObject({
    type: 'ALREADY_DISPATCHED',
    nonRetryable: true,
  });
});

test('recordOrderProgress sends enums and the sequence as an int64 string; omitted fields stay unchanged', async () => {
  const { deps, acts } = fakes();
  deps.orderSaga.recordOrderProgress.mockResolvedValue({ applied: true });
  await run(acts.recordOrderProgress, {
    orderId: 'o1',
    sequence: 7,
    status: 'ORDER_STATUS_CANCELLED',
    cancellationReason: 'OUT_OF_STOCK',
  });
  expect(deps.orderSaga.recordOrderProgress).toHaveBeenCalledWith({
    orderId: 'o1',
    sequence: '7',
    status: OrderStatus.ORDER_STATUS_CANCELLED,
    cancellationReason: 'OUT_OF_STOCK',
    paymentStatus: PaymentStatus.PAYMENT_STATUS_UNSPECIFIED,
    shipmentStatus: 0,
    step: '',
    statusDetail: '',
  });
});
