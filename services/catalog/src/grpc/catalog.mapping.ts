/** Domain <-> contract conversions for the catalog service. */
import type { Product as ProtoProduct } from '@meshcart/proto/shop/catalog/v1/catalog';
import type { Product } from '../domain/product';
import { toTimestamp } from '@meshcart/kit';

export const toProtoProduct = (p: Product): ProtoProduct => ({
  sku: p.sku,
  name: p.name,
  description: p.description,
  category: p.category,
  price: { currencyCode: p.price.currencyCode, amountMinor: p.price.amountMinor.toString() },
  active: p.active,
  updateTime: toTimestamp(p.updatedAt),
});
