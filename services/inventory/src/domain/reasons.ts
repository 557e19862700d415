/**
 * ErrorInfo reasons of the inventory service: short names for values of the one generated list
 * (shop.common.v1.ErrorReason), never strings of its own.
 */
import { ErrorReason, errorDomain } from '@meshcart/kit';

export const ERROR_DOMAIN = errorDomain('inventory');

export const REASONS = {
  outOfStock: ErrorReason.ERROR_REASON_OUT_OF_STOCK,
  skuNotFound: ErrorReason.ERROR_REASON_SKU_NOT_FOUND,
  idempotencyKeyReused: ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
  reservationNotFound: ErrorReason.ERROR_REASON_RESERVATION_NOT_FOUND,
  reservationReleased: ErrorReason.ERROR_REASON_RESERVATION_RELEASED,
  reservationCommitted: ErrorReason.ERROR_REASON_RESERVATION_COMMITTED,
  reservationNotCommitted: ErrorReason.ERROR_REASON_RESERVATION_NOT_COMMITTED,
  belowReserved: ErrorReason.ERROR_REASON_BELOW_RESERVED,
  onHandLimitExceeded: ErrorReason.ERROR_REASON_ON_HAND_LIMIT_EXCEEDED,
  transactionConflict: ErrorReason.ERROR_REASON_TRANSACTION_CONFLICT,
  databaseUnavailable: ErrorReason.ERROR_REASON_DATABASE_UNAVAILABLE,
} as const;
