/**
 * Request validation. Every check adds a violation with the JSON (lowerCamelCase) field path,
 * so a caller sees every problem at once; throwIfAny raises INVALID_ARGUMENT.
 */
import { checkId, checkParagraph, checkSku, Violations } from '@meshcart/kit';
import { canonicalItems, type ReservationItem } from './reservation';
import { MAX_ON_HAND } from './stock';

export const MAX_QUANTITY = 1000;
export const MAX_ITEMS = 100;
export const MAX_NOTE_LENGTH = 500;

/** An operator's free-text note: optional, multi-line, no other control characters. */
function checkNote(v: Violations, note: string): void {
  checkParagraph(v, 'note', note, MAX_NOTE_LENGTH);
}

/** ReserveStock: a valid id and 1-100 items with distinct valid skus and quantities 1-1000. */
export function validateReserve(req: {
  reservationId: string;
  items: readonly ReservationItem[];
}): {
  reservationId: string;
  items: ReservationItem[];
} {
  const v = new Violations();
  checkId(v, 'reservationId', req.reservationId);
  if (req.items.length < 1 || req.items.length > MAX_ITEMS)
    v.add('items', `must hold 1-${MAX_ITEMS} items`);
  const seen = new Set<string>();
  req.items.forEach((item, i) => {
    const skuOk = checkSku(v, `items[${i}].sku`, item.sku);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      v.add(`items[${i}].quantity`, `must be 1-${MAX_QUANTITY}`);
    }
    // The later duplicate is the one reported: the first occurrence is not wrong by itself.
    if (skuOk && seen.has(item.sku))
      v.add(`items[${i}].sku`, 'duplicate sku: each sku may appear once');
    seen.add(item.sku);
  });
  v.throwIfAny();
  return { reservationId: req.reservationId, items: canonicalItems(req.items) };
}

/** Release, Commit, Return, Get: just the id. */
export function validateReservationId(reservationId: string): string {
  const v = new Violations();
  checkId(v, 'reservationId', reservationId);
  v.throwIfAny();
  return reservationId;
}

export function validateSku(sku: string): string {
  const v = new Violations();
  checkSku(v, 'sku', sku);
  v.throwIfAny();
  return sku;
}

export function validateSetStock(req: { sku: string; onHand: number; note: string }): void {
  const v = new Violations();
  checkSku(v, 'sku', req.sku);
  if (!Number.isInteger(req.onHand) || req.onHand < 0 || req.onHand > MAX_ON_HAND) {
    v.add('onHand', `must be 0-${MAX_ON_HAND}`);
  }
  checkNote(v, req.note);
  v.throwIfAny();
}

export function validateAdjustStock(req: {
  adjustmentId: string;
  sku: string;
  delta: number;
  note: string;
}): void {
  const v = new Violations();
  checkId(v, 'adjustmentId', req.adjustmentId);
  checkSku(v, 'sku', req.sku);
  if (!Number.isInteger(req.delta) || req.delta === 0 || Math.abs(req.delta) > MAX_ON_HAND) {
    v.add('delta', `must be non-zero and within ±${MAX_ON_HAND}`);
  }
  checkNote(v, req.note);
  v.throwIfAny();
}
