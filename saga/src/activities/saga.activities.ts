import { status } from '@grpc/grpc-js';
import { log } from '@temporalio/activity';
import { ErrorReason, type TypedClient } from '@meshcart/kit';
import {
  ReservationServiceService,
  reservationStatusToJSON,
} from '@meshcart/proto/shop/inventory/v1/inventory';
import {
  PaymentServiceService,
  PaymentStatus,
  paymentStatusFromJSON,
  paymentStatusToJSON,
  type Payment,
} from '@meshcart/proto/shop/payments/v1/payments';
import {
  ShippingServiceService,
  shipmentStatusFromJSON,
  shipmentStatusToJSON,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import {
  OrderSagaServiceService,
  orderStatusFromJSON,
} from '@meshcart/proto/shop/orders/v1/orders';
import { isBusinessError, mapped, toActivityFailure } from './errors';
import type {
  PaymentStatusName,
  RefundInput,
  ReservationStatusName,
  SagaActivities,
  ShipmentStatusName,
} from './types';

/** The typed clients the activities call (built by the worker from the call graph identity). */
export interface ActivityDeps {
  reservations: TypedClient<typeof ReservationServiceService>;
  payments: TypedClient<typeof PaymentServiceService>;
  shipping: TypedClient<typeof ShippingServiceService>;
  orderSaga: TypedClient<typeof OrderSagaServiceService>;
}

const reservationName = (s: number | undefined) =>
  reservationStatusToJSON(s ?? 0) as ReservationStatusName;
const paymentName = (s: number | undefined) => paymentStatusToJSON(s ?? 0) as PaymentStatusName;
const shipmentName = (s: number | undefined) => shipmentStatusToJSON(s ?? 0) as ShipmentStatusName;

/** Payment states in which nothing is held on the card any more. */
const SETTLED: ReadonlySet<PaymentStatus> = new Set([
  PaymentStatus.PAYMENT_STATUS_VOIDED,
  PaymentStatus.PAYMENT_STATUS_REFUNDED,
  PaymentStatus.PAYMENT_STATUS_DECLINED,
]);
const CAPTURED: ReadonlySet<PaymentStatus> = new Set([
  PaymentStatus.PAYMENT_STATUS_CAPTURED,
  PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED,
]);

/**
 * The saga's activities over the generated typed clients. Every call is keyed by the order id
 * (reservation_id = payment_id = shipment_id = order_id), so Temporal's retries are safe; every
 * failure goes through toActivityFailure (business -> non-retryable with the reason as type).
 * No heartbeats: each activity is one or two short unary calls bounded by the gRPC deadline,
 * so startToCloseTimeout detects a lost worker as fast as a heartbeat timeout would.
 */
export function createActivities(deps: ActivityDeps): SagaActivities {
  const { reservations, payments, shipping, orderSaga } = deps;

  const refund = async (input: RefundInput): Promise<PaymentStatusName> => {
    const res = await payments.refundPayment({
      refundId: input.refundId,
      paymentId: input.orderId,
      amount: input.amount,
    });
    return paymentName(res.payment?.status);
  };

  /** A payment that is captured gets the full refund; a settled one is left alone. */
  const settle = async (
    input: RefundInput,
    payment: Payment | undefined,
  ): Promise<PaymentStatusName | undefined> => {
    const st = payment?.status ?? PaymentStatus.PAYMENT_STATUS_UNSPECIFIED;
    if (SETTLED.has(st)) return paymentName(st);
    if (CAPTURED.has(st)) {
      log.info('payment already captured: refunding in full instead of voiding', {
        order_id: input.orderId,
      });
      return refund(input);
    }
    return undefined;
  };

  return {
    reserveStock: ({ orderId, items }) =>
      mapped(async () =>
        reservationName(
          (await reservations.reserveStock({ reservationId: orderId, items })).reservation?.status,
        ),
      ),

    // Either field: a payment method id (current sagas), or the token of a saga started before
    // vaulting (its scheduled activity still carries it); payments takes exactly one of them.
    authorizePayment: ({ orderId, amount, paymentMethodId, paymentToken }) =>
      mapped(async () => {
        const res = await payments.authorizePayment({
          paymentId: orderId,
          orderId,
          amount,
          paymentMethodId: paymentMethodId ?? '',
          paymentToken: paymentMethodId ? '' : (paymentToken ?? ''),
        });
        return paymentName(res.payment?.status);
      }),

    createShipment: ({ orderId, address, items }) =>
      mapped(async () => {
        const res = await shipping.createShipment({ shipmentId: orderId, orderId, address, items });
        return shipmentName(res.shipment?.status);
      }),

    capturePayment: (orderId) =>
      mapped(async () =>
        paymentName((await payments.capturePayment({ paymentId: orderId })).payment?.status),
      ),

    releaseShipment: (orderId) =>
      mapped(async () =>
        shipmentName((await shipping.releaseShipment({ shipmentId: orderId })).shipment?.status),
      ),

    commitReservation: (orderId) =>
      mapped(async () =>
        reservationName(
          (await reservations.commitReservation({ reservationId: orderId })).reservation?.status,
        ),
      ),

    releaseReservation: (orderId) =>
      mapped(async () => {
        try {
          return reservationName(
            (await reservations.releaseReservation({ reservationId: orderId })).reservation?.status,
          );
        } catch (err) {
          // The commit landed before the compensation (e.g. a timed-out commit that took effect).
          if (
            !isBusinessError(
              err,
              status.FAILED_PRECONDITION,
              ErrorReason.ERROR_REASON_RESERVATION_COMMITTED,
            )
          )
            throw err;
          log.info('reservation already committed: returning it instead of releasing', {
            order_id: orderId,
          });
          return reservationName(
            (await reservations.returnReservation({ reservationId: orderId })).reservation?.status,
          );
        }
      }),

    voidPayment: (input) =>
      mapped(async () => {
        let payment: Payment | undefined;
        try {
          payment = (await payments.voidAuthorization({ paymentId: input.orderId })).payment;
        } catch (err) {
          // Void refused: most likely captured already. Look, then refund or accept what is there.
          if (!isBusinessError(err, status.FAILED_PRECONDITION)) throw err;
          payment = (await payments.getPayment({ paymentId: input.orderId })).payment;
          const settled = await settle(input, payment);
          if (settled) return settled;
          throw toActivityFailure(err);
        }
        return (await settle(input, payment)) ?? paymentName(payment?.status);
      }),

    cancelShipment: (orderId) =>
      mapped(async () =>
        shipmentName((await shipping.cancelShipment({ shipmentId: orderId })).shipment?.status),
      ),

    // A retry after a refund that landed: the same refund_id answers with the first result.
    refundPayment: (input) => mapped(() => refund(input)),

    returnReservation: (orderId) =>
      mapped(async () =>
        reservationName(
          (await reservations.returnReservation({ reservationId: orderId })).reservation?.status,
        ),
      ),

    recordOrderProgress: (r) =>
      mapped(async () => {
        const res = await orderSaga.recordOrderProgress({
          orderId: r.orderId,
          sequence: String(r.sequence),
          status: orderStatusFromJSON(r.status ?? 'ORDER_STATUS_UNSPECIFIED'),
          cancellationReason: r.cancellationReason ?? '',
          paymentStatus: paymentStatusFromJSON(r.paymentStatus ?? 'PAYMENT_STATUS_UNSPECIFIED'),
          shipmentStatus: shipmentStatusFromJSON(r.shipmentStatus ?? 'SHIPMENT_STATUS_UNSPECIFIED'),
          step: r.step ?? '',
          statusDetail: r.statusDetail ?? '',
        });
        if (!res.applied)
          log.info('progress record ignored by orders (stale or terminal)', {
            order_id: r.orderId,
            sequence: r.sequence,
          });
      }),
  };
}
