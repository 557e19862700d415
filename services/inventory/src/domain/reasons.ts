/** ErrorInfo reasons of the inventory service (domain `inventory.meshcart`). */
export const ERROR_DOMAIN = 'inventory.meshcart';

export const REASONS = {
  outOfStock: 'OUT_OF_STOCK',
  skuNotFound: 'SKU_NOT_FOUND',
  idempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  reservationNotFound: 'RESERVATION_NOT_FOUND',
  reservationReleased: 'RESERVATION_RELEASED',
  reservationCommitted: 'RESERVATION_COMMITTED',
  reservationNotCommitted: 'RESERVATION_NOT_COMMITTED',
  belowReserved: 'BELOW_RESERVED',
  onHandLimitExceeded: 'ON_HAND_LIMIT_EXCEEDED',
  transactionConflict: 'TRANSACTION_CONFLICT',
  databaseUnavailable: 'DATABASE_UNAVAILABLE',
} as const;
