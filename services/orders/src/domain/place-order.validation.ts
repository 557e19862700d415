import { Violations } from '@meshcart/kit';
import { isCountryCode } from './countries';
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

export const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const SKU = /^[A-Z0-9][A-Z0-9-]{2,31}$/;
export const POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/;
export const PAYMENT_TOKEN = /^[A-Za-z0-9_]{1,64}$/;
export const MAX_ITEMS = 100;
export const MAX_QUANTITY = 1000;
const MAX_TEXT = 100;

/** Length in characters (code points), as MySQL counts VARCHAR. */
const chars = (s: string): number => [...s].length;

/**
 * Checks a PlaceOrder request; throws INVALID_ARGUMENT with one field violation per problem
 * (paths in JSON lowerCamelCase, e.g. `items[3].quantity`). Never echoes the payment token.
 */
export function validatePlaceOrder(cmd: PlaceOrderCommand): ValidPlaceOrder {
  const v = new Violations();
  if (!REQUEST_ID.test(cmd.requestId))
    v.add('requestId', 'must be 1-64 characters of [A-Za-z0-9_-]');
  validateItems(cmd.items, v);
  const address = cmd.shippingAddress ? validateAddress(cmd.shippingAddress, v) : undefined;
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

function validateItems(items: PlaceOrderCommand['items'], v: Violations): void {
  if (items.length === 0) return void v.add('items', 'at least one item is required');
  // Past the limit, per-line checks would only bury the one violation that matters.
  if (items.length > MAX_ITEMS) return void v.add('items', `at most ${MAX_ITEMS} items`);
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (!SKU.test(item.sku))
      v.add(
        `items[${i}].sku`,
        'must be 3-32 characters of [A-Z0-9-], starting with a letter or digit',
      );
    else if (seen.has(item.sku)) v.add(`items[${i}].sku`, 'duplicate sku: each sku appears once');
    seen.add(item.sku);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      v.add(`items[${i}].quantity`, `must be 1-${MAX_QUANTITY}`);
    }
  });
}

function validateAddress(a: Address, v: Violations): Address {
  const at = (f: string) => `shippingAddress.${f}`;
  const text = (field: string, value: string): string => {
    const t = value.trim();
    if (t === '' || chars(t) > MAX_TEXT) v.add(at(field), `must be 1-${MAX_TEXT} characters`);
    return t;
  };
  const recipient = text('recipient', a.recipient);
  if (a.lines.length < 1 || a.lines.length > 3) v.add(at('lines'), 'must have 1-3 lines');
  const lines = a.lines.slice(0, 3).map((line, i) => text(`lines[${i}]`, line));
  const city = text('city', a.city);
  if (!POSTAL_CODE.test(a.postalCode))
    v.add(at('postalCode'), 'must be 2-12 characters of letters, digits, spaces and dashes');
  if (!isCountryCode(a.countryCode))
    v.add(at('countryCode'), 'must be an ISO 3166-1 alpha-2 code, upper case');
  return { recipient, lines, city, postalCode: a.postalCode, countryCode: a.countryCode };
}
