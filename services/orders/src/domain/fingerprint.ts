import { createHash } from 'node:crypto';
import type { ValidPlaceOrder } from './place-order.validation';

/**
 * sha256 over the canonical payload of a PlaceOrder request (items sorted by sku, the
 * address, the payment token). Equal fingerprints = the same request repeated; the same
 * request_id with another fingerprint is a reused idempotency key.
 */
export function requestFingerprint(req: ValidPlaceOrder): string {
  const items = [...req.items]
    .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))
    .map((i) => [i.sku, i.quantity]);
  const a = req.shippingAddress;
  const canonical = JSON.stringify({
    v: 1,
    items,
    address: [a.recipient, a.lines, a.city, a.postalCode, a.countryCode],
    paymentToken: req.paymentToken,
  });
  return createHash('sha256').update(canonical).digest('hex');
}
