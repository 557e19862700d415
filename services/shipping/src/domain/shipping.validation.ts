/** Request validation: proto in, domain values out, or INVALID_ARGUMENT listing every violation. */
import { checkAddress, checkId, checkSku, Violations } from '@meshcart/kit';
import type { Address as ProtoAddress } from '@meshcart/proto/shop/common/v1/address';
import type {
  CreateShipmentRequest,
  QuoteShippingRequest,
  ShipmentItem as ProtoItem,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import { QUOTE_CURRENCY } from './quote';
import type { Address, ShipmentItem, ShipmentRequest } from './shipment';

const MAX_ITEMS = 100;
const MAX_QUANTITY = 1000;

/** The address with every text trimmed, or undefined when it has a violation. */
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
  const address = checkAddress(v, field, a);
  return v.size > before ? undefined : address;
}

export function readItems(v: Violations, field: string, items: ProtoItem[]): ShipmentItem[] {
  if (items.length < 1 || items.length > MAX_ITEMS)
    v.add(field, `must have 1 to ${MAX_ITEMS} items`);
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (checkSku(v, `${field}[${i}].sku`, item.sku) && seen.has(item.sku))
      v.add(`${field}[${i}].sku`, 'appears twice: one line per sku');
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
