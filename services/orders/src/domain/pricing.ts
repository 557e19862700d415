import { ErrorReason, errors, fitsAmount, MAX_AMOUNT_MINOR } from '@meshcart/kit';
import type { Money, OrderLine } from './order';

/** What orders needs from a catalog product. */
export interface CatalogProduct {
  sku: string;
  name: string;
  active: boolean;
  price: Money;
}

export interface PricedItems {
  currencyCode: string;
  lines: OrderLine[];
  subtotalMinor: bigint;
}

export interface OrderTotals {
  subtotalMinor: bigint;
  shippingMinor: bigint;
  totalMinor: bigint;
}

/**
 * The one money bound of the vocabulary (9e15), not int64 max: a total above it could be stored
 * but never charged (payments refuses it), so the order is refused before its saga starts.
 */
export { MAX_AMOUNT_MINOR };

/**
 * Prices the requested lines with catalog prices (the client never sends prices).
 * Unknown or inactive skus: FAILED_PRECONDITION PRODUCT_UNAVAILABLE, ErrorInfo metadata
 * `sku` (the first one) and `skus` (all, comma-separated), plus a field violation per line.
 * Products in more than one currency: FAILED_PRECONDITION MIXED_CURRENCY.
 */
export function priceItems(
  items: { sku: string; quantity: number }[],
  products: ReadonlyMap<string, CatalogProduct>,
): PricedItems {
  const unavailable = items
    .map((item, i) => ({ i, sku: item.sku, product: products.get(item.sku) }))
    .filter((x) => !x.product?.active);
  if (unavailable.length > 0) {
    throw errors.failedPrecondition(ErrorReason.ERROR_REASON_PRODUCT_UNAVAILABLE, {
      message: 'some items are not available',
      metadata: { sku: unavailable[0]!.sku, skus: unavailable.map((u) => u.sku).join(',') },
      violations: unavailable.map((u) => ({
        field: `items[${u.i}].sku`,
        description: 'unknown or inactive product',
      })),
    });
  }
  const priced = items.map((item) => ({ item, product: products.get(item.sku)! }));
  const currencies = [...new Set(priced.map((p) => p.product.price.currencyCode))];
  if (currencies.length > 1) {
    throw errors.failedPrecondition(ErrorReason.ERROR_REASON_MIXED_CURRENCY, {
      message: 'items are priced in different currencies',
      metadata: { currencies: currencies.sort().join(',') },
    });
  }
  const lines = priced.map(({ item, product }): OrderLine => {
    if (product.price.amountMinor < 0n)
      throw new Error(`catalog returned a negative price for ${item.sku}`);
    return {
      sku: item.sku,
      quantity: item.quantity,
      name: product.name,
      unitPriceMinor: product.price.amountMinor,
      lineTotalMinor: product.price.amountMinor * BigInt(item.quantity),
    };
  });
  const subtotalMinor = lines.reduce((sum, l) => sum + l.lineTotalMinor, 0n);
  return { currencyCode: currencies[0]!, lines, subtotalMinor: ensureFits(subtotalMinor) };
}

/** Adds the shipping cost (in the order's currency) to the subtotal. */
export function orderTotals(priced: PricedItems, shipping: Money): OrderTotals {
  if (shipping.currencyCode !== priced.currencyCode) {
    throw errors.failedPrecondition(ErrorReason.ERROR_REASON_MIXED_CURRENCY, {
      message: 'shipping is quoted in another currency than the items',
      metadata: { currencies: [priced.currencyCode, shipping.currencyCode].sort().join(',') },
    });
  }
  if (shipping.amountMinor < 0n) throw new Error('shipping returned a negative quote');
  return {
    subtotalMinor: priced.subtotalMinor,
    shippingMinor: shipping.amountMinor,
    totalMinor: ensureFits(priced.subtotalMinor + shipping.amountMinor),
  };
}

function ensureFits(amount: bigint): bigint {
  if (!fitsAmount(amount)) {
    throw errors.failedPrecondition(ErrorReason.ERROR_REASON_AMOUNT_TOO_LARGE, {
      message: 'order total exceeds the largest amount that can be charged',
    });
  }
  return amount;
}
