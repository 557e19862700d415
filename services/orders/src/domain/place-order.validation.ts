import { checkAddress, checkId, checkSku, Violations } from '@meshcart/kit';
import type { Address } from './order';

/** What a PlaceOrder request carries (structurally the proto message). */
export interface PlaceOrderCommand {
  requestId: string;
  items: { sku: string; quantity: number }[];
  shippingAddress: Address | undefined;
  paymentToken: string;
}

/** A validated PlaceOrder request: strings trimmed, every rule below holds. */
export interface ValidPlaceOrder {
  requestId: string;
  items: { sku: string; quantity: number }[];
  shippingAddress: Address;
  paymentToken: string;
}

/** The token the payment provider issued to the client; payments checks it against the provider. */
export const PAYMENT_TOKEN = /^[A-Za-z0-9_]{1,64}$/;
export const MAX_ITEMS = 100;
/** The contract's bound on one line's quantity; MAX_UNITS_PER_LINE may only lower it. */
export const MAX_QUANTITY = 1000;

/** Limits the operator configures (config.ts), within the contract's bounds above. */
export interface PlaceOrderLimits {
  /** Units of one sku per line, 1..MAX_QUANTITY (MAX_UNITS_PER_LINE). */
  maxUnitsPerLine: number;
}

/**
 * Checks a PlaceOrder request; throws INVALID_ARGUMENT with one field violation per problem
 * (paths in JSON lowerCamelCase, e.g. `items[3].quantity`). Never echoes the payment token.
 */
export function validatePlaceOrder(
  cmd: PlaceOrderCommand,
  limits: PlaceOrderLimits = { maxUnitsPerLine: MAX_QUANTITY },
): ValidPlaceOrder {
  const v = new Violations();
  checkId(v, 'requestId', cmd.requestId);
  validateItems(cmd.items, Math.min(limits.maxUnitsPerLine, MAX_QUANTITY), v);
  const address = cmd.shippingAddress
    ? checkAddress(v, 'shippingAddress', cmd.shippingAddress)
    : undefined;
  if (!cmd.shippingAddress) v.add('shippingAddress', 'is required');
  if (!PAYMENT_TOKEN.test(cmd.paymentToken))
    v.add('paymentToken', 'must be 1-64 characters of [A-Za-z0-9_]');
  v.throwIfAny();
  return {
    requestId: cmd.requestId,
    items: cmd.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
    shippingAddress: address!,
    paymentToken: cmd.paymentToken,
  };
}

function validateItems(items: PlaceOrderCommand['items'], maxUnits: number, v: Violations): void {
  if (items.length === 0) return void v.add('items', 'at least one item is required');
  // Past the limit, per-line checks would only bury the one violation that matters.
  if (items.length > MAX_ITEMS) return void v.add('items', `at most ${MAX_ITEMS} items`);
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (checkSku(v, `items[${i}].sku`, item.sku) && seen.has(item.sku))
      v.add(`items[${i}].sku`, 'duplicate sku: each sku appears once');
    seen.add(item.sku);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > maxUnits) {
      v.add(`items[${i}].quantity`, `must be 1-${maxUnits}`);
    }
  });
}
