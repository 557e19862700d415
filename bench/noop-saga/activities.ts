/**
 * Activities of the no-op saga: the real saga's activity names and types, each returning at
 * once without calling anything. recordOrderProgress reports CONFIRMED (order id + wall-clock
 * ms) through `onConfirmed`, which is how the benchmark sees the no-op order finish.
 */
import type { SagaActivities, SagaLocalActivities } from '@meshcart/saga/saga-parts';
import type { OrderSagaOptions } from '@meshcart/saga/contract';

export function noopActivities(
  settings: Partial<OrderSagaOptions>,
  onConfirmed: (orderId: string, atMs: number) => void,
): SagaActivities & SagaLocalActivities {
  return {
    reserveStock: async () => 'RESERVATION_STATUS_ACTIVE',
    authorizePayment: async () => 'PAYMENT_STATUS_AUTHORIZED',
    createShipment: async () => 'SHIPMENT_STATUS_CREATED',
    capturePayment: async () => 'PAYMENT_STATUS_CAPTURED',
    releaseShipment: async () => 'SHIPMENT_STATUS_CREATED',
    commitReservation: async () => 'RESERVATION_STATUS_COMMITTED',
    releaseReservation: async () => 'RESERVATION_STATUS_RELEASED',
    voidPayment: async () => 'PAYMENT_STATUS_VOIDED',
    cancelShipment: async () => 'SHIPMENT_STATUS_CANCELLED',
    refundPayment: async () => 'PAYMENT_STATUS_REFUNDED',
    returnReservation: async () => 'RESERVATION_STATUS_RETURNED',
    recordOrderProgress: async (r) => {
      if (r.status === 'ORDER_STATUS_CONFIRMED') onConfirmed(r.orderId, Date.now());
    },
    sagaSettings: async () => settings,
  };
}
