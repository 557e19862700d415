/** Stock levels and the rules admin changes must respect. Pure. */
import { errors } from '@meshcart/kit';
import { REASONS } from './reasons';

/** Largest on_hand an admin may set (SetStock bound; AdjustStock may not exceed it either). */
export const MAX_ON_HAND = 1_000_000;

export interface StockLevel {
  sku: string;
  onHand: number;
  reserved: number;
  /** on_hand - reserved; never negative. */
  available: number;
}

export function stockLevel(sku: string, onHand: number, reserved: number): StockLevel {
  return { sku, onHand, reserved, available: Math.max(0, onHand - reserved) };
}

/** Refuses an admin change that would take on_hand under reserved (or over the maximum). */
export function checkNewOnHand(sku: string, onHand: number, reserved: number): void {
  if (onHand < reserved) {
    throw errors.failedPrecondition(REASONS.belowReserved, {
      message: `on_hand may not drop below the reserved quantity of ${sku}`,
      metadata: { sku, onHand: String(onHand), reserved: String(reserved) },
    });
  }
  if (onHand > MAX_ON_HAND) {
    throw errors.failedPrecondition(REASONS.onHandLimitExceeded, {
      metadata: { sku, onHand: String(onHand), max: String(MAX_ON_HAND) },
    });
  }
}

/** A stored adjustment, enough to recognise a repeat and answer it as the first time. */
export interface Adjustment {
  adjustmentId: string;
  sku: string;
  delta: number;
  note: string;
  onHandAfter: number;
  reservedAfter: number;
}

/** A repeat of AdjustStock answers the first result; another payload under the same id is refused. */
export function answerAdjustmentRepeat(
  stored: Adjustment,
  req: { sku: string; delta: number; note: string },
): StockLevel {
  if (stored.sku !== req.sku || stored.delta !== req.delta || stored.note !== req.note) {
    throw errors.alreadyExists(REASONS.idempotencyKeyReused, {
      metadata: { adjustmentId: stored.adjustmentId },
    });
  }
  return stockLevel(stored.sku, stored.onHandAfter, stored.reservedAfter);
}

export function skuNotFound(sku: string) {
  return errors.notFound(REASONS.skuNotFound, { metadata: { sku } });
}
