/**
 * Shapes exchanged between the saga workflow and its activities. Plain data only (they are
 * serialized into the workflow history), statuses as proto enum names so workflow code never
 * imports generated gRPC code.
 */
import type { OrderSagaOptions, SagaAddress, SagaMoney } from '../contract';

export type PaymentStatusName =
  | 'PAYMENT_STATUS_UNSPECIFIED'
  | 'PAYMENT_STATUS_AUTHORIZED'
  | 'PAYMENT_STATUS_CAPTURED'
  | 'PAYMENT_STATUS_PARTIALLY_REFUNDED'
  | 'PAYMENT_STATUS_REFUNDED'
  | 'PAYMENT_STATUS_VOIDED'
  | 'PAYMENT_STATUS_DECLINED';

export type ShipmentStatusName =
  | 'SHIPMENT_STATUS_UNSPECIFIED'
  | 'SHIPMENT_STATUS_CREATED'
  | 'SHIPMENT_STATUS_DISPATCHED'
  | 'SHIPMENT_STATUS_CANCELLED';

export type ReservationStatusName =
  | 'RESERVATION_STATUS_UNSPECIFIED'
  | 'RESERVATION_STATUS_ACTIVE'
  | 'RESERVATION_STATUS_RELEASED'
  | 'RESERVATION_STATUS_COMMITTED'
  | 'RESERVATION_STATUS_RETURNED';

export type OrderStatusName =
  | 'ORDER_STATUS_UNSPECIFIED'
  | 'ORDER_STATUS_PENDING'
  | 'ORDER_STATUS_CONFIRMED'
  | 'ORDER_STATUS_CANCELLED'
  | 'ORDER_STATUS_NEEDS_ATTENTION';

export interface SagaItem {
  sku: string;
  quantity: number;
}

/** One RecordOrderProgress call; omitted fields leave the order unchanged. */
export interface ProgressRecord {
  orderId: string;
  /** Strictly increasing per order (the workflow's counter). */
  sequence: number;
  status?: OrderStatusName;
  cancellationReason?: string;
  paymentStatus?: PaymentStatusName;
  shipmentStatus?: ShipmentStatusName;
  step?: string;
  statusDetail?: string;
}

export interface ReserveStockInput {
  orderId: string;
  items: SagaItem[];
}

export interface AuthorizePaymentInput {
  orderId: string;
  amount: SagaMoney;
  /** The vaulted payment method (sagas started since vaulting). */
  paymentMethodId?: string;
  /** @deprecated The card token: only from sagas started before vaulting (their histories). */
  paymentToken?: string;
}

export interface CreateShipmentInput {
  orderId: string;
  address: SagaAddress;
  items: SagaItem[];
}

export interface RefundInput {
  orderId: string;
  /** Refund idempotency key: one full refund per order, whatever path asks for it. */
  refundId: string;
  amount: SagaMoney;
}

/** The activities the saga calls (implemented by createActivities). */
export interface SagaActivities {
  reserveStock(input: ReserveStockInput): Promise<ReservationStatusName>;
  authorizePayment(input: AuthorizePaymentInput): Promise<PaymentStatusName>;
  createShipment(input: CreateShipmentInput): Promise<ShipmentStatusName>;
  capturePayment(orderId: string): Promise<PaymentStatusName>;
  /**
   * After the capture: releases the shipment for dispatch (shipping refuses to dispatch an
   * unreleased one). Idempotent; answers the shipment's status (CREATED until the carrier
   * takes it). Fails non-retryable SHIPMENT_CANCELLED if it was cancelled meanwhile.
   */
  releaseShipment(orderId: string): Promise<ShipmentStatusName>;
  commitReservation(orderId: string): Promise<ReservationStatusName>;
  /** Compensation: release; a reservation already COMMITTED is returned instead. */
  releaseReservation(orderId: string): Promise<ReservationStatusName>;
  /** Compensation: void; a payment already captured is refunded in full instead. */
  voidPayment(input: RefundInput): Promise<PaymentStatusName>;
  /** Compensation: cancel; fails non-retryable ALREADY_DISPATCHED once dispatched. */
  cancelShipment(orderId: string): Promise<ShipmentStatusName>;
  /** Cancellation after confirmation. */
  refundPayment(input: RefundInput): Promise<PaymentStatusName>;
  returnReservation(orderId: string): Promise<ReservationStatusName>;
  recordOrderProgress(record: ProgressRecord): Promise<void>;
}

/** Local activity: the worker's configured saga durations (recorded in the history). */
export interface SagaLocalActivities {
  sagaSettings(): Promise<Partial<OrderSagaOptions>>;
}
