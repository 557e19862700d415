/** Domain <-> contract conversions for the catalog service. */
import type { Timestamp } from '@meshcart/proto/google/protobuf/timestamp';
import type { Product as ProtoProduct } from '@meshcart/proto/shop/catalog/v1/catalog';
import type { Product } from '../domain/product';

export function toTimestamp(d: Date): Timestamp {
  const ms = d.getTime();
  return {
    seconds: String(Math.floor(ms / 1000)),
    nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000,
  };
}

export const toProtoProduct = (p: Product): ProtoProduct => ({
  sku: p.sku,
  name: p.name,
  description: p.description,
  category: p.category,
  price: { currencyCode: p.price.currencyCode, amountMinor: p.price.amountMinor.toString() },
  active: p.active,
  updateTime: toTimestamp(p.updatedAt),
});
