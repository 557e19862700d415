/** Request validation: proto in, domain values out, or INVALID_ARGUMENT listing every violation. */
import { Violations } from '@meshcart/kit';
import type { Address as ProtoAddress } from '@meshcart/proto/shop/common/v1/address';
import type {
  CreateShipmentRequest,
  QuoteShippingRequest,
  ShipmentItem as ProtoItem,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import { isCountry } from '../domain/countries';
import { QUOTE_CURRENCY } from '../domain/quote';
import type { Address, ShipmentItem, ShipmentRequest } from '../domain/shipment';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/;
const MAX_ITEMS = 100;
const MAX_QUANTITY = 1000;

function checkId(v: Violations, field: string, value: string): void {
  if (!ID.test(value)) v.add(field, 'must be 1-64 characters of A-Z a-z 0-9 _ -');
}

/** Non-blank, at most max characters (code points, as the database counts them). */
function checkText(v: Violations, field: string, value: string, max: number): void {
  if (value.trim() === '') v.add(field, 'is required');
  else if ([...value].length > max) v.add(field, `must be at most ${max} characters`);
}

export function readAddress(
  v: Violations,
  field: string,
  a: ProtoAddress | undefined,
): Address | undefined {
  if (!a) {
    v.add(field, 'is required');
    return undefined;
  }
  const before = v.size;
  checkText(v, `${field}.recipient`, a.recipient, 100);
  if (a.lines.length < 1 || a.lines.length > 3) v.add(`${field}.lines`, 'must have 1 to 3 lines');
  a.lines.forEach((line, i) => checkText(v, `${field}.lines[${i}]`, line, 100));
  checkText(v, `${field}.city`, a.city, 100);
  if (!POSTAL_CODE.test(a.postalCode))
    v.add(`${field}.postalCode`, 'must be 2-12 letters, digits, spaces or dashes');
  if (!isCountry(a.countryCode))
    v.add(`${field}.countryCode`, 'must be an ISO 3166-1 alpha-2 code, upper case');
  if (v.size > before) return undefined;
  return {
    recipient: a.recipient,
    lines: [...a.lines],
    city: a.city,
    postalCode: a.postalCode,
    countryCode: a.countryCode,
  };
}

export function readItems(v: Violations, field: string, items: ProtoItem[]): ShipmentItem[] {
  if (items.length < 1 || items.length > MAX_ITEMS)
    v.add(field, `must have 1 to ${MAX_ITEMS} items`);
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (!SKU.test(item.sku))
      v.add(`${field}[${i}].sku`, 'must be 1-64 characters of A-Z a-z 0-9 . _ -');
    else if (seen.has(item.sku)) v.add(`${field}[${i}].sku`, 'appears twice: one line per sku');
    seen.add(item.sku);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      v.add(`${field}[${i}].quantity`, `must be 1 to ${MAX_QUANTITY}`);
    }
  });
  return items.map((i) => ({ sku: i.sku, quantity: i.quantity }));
}

export function validateQuote(req: QuoteShippingRequest): {
  address: Address;
  items: ShipmentItem[];
} {
  const v = new Violations();
  const address = readAddress(v, 'address', req.address);
  const items = readItems(v, 'items', req.items);
  if (req.currencyCode !== '' && req.currencyCode !== QUOTE_CURRENCY) {
    v.add('currencyCode', `only ${QUOTE_CURRENCY} is quoted (or leave it empty)`);
  }
  v.throwIfAny();
  return { address: address!, items };
}

export function validateCreate(req: CreateShipmentRequest): ShipmentRequest {
  const v = new Violations();
  checkId(v, 'shipmentId', req.shipmentId);
  checkId(v, 'orderId', req.orderId);
  const address = readAddress(v, 'address', req.address);
  const items = readItems(v, 'items', req.items);
  v.throwIfAny();
  return { shipmentId: req.shipmentId, orderId: req.orderId, address: address!, items };
}

/** A bare shipment id (cancel, get, dispatch). */
export function validateShipmentId(req: { shipmentId: string }): string {
  const v = new Violations();
  checkId(v, 'shipmentId', req.shipmentId);
  v.throwIfAny();
  return req.shipmentId;
}
