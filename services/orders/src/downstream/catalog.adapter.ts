import type { ServiceContext, TypedClient } from '@meshcart/kit';
import { CatalogServiceService, type Product } from '@meshcart/proto/shop/catalog/v1/catalog';
import type { CatalogPort } from '../app/ports';
import type { CatalogProduct } from '../domain/pricing';
import { moneyFromProto } from './money';

/** The catalog port over a client the chassis opens (and closes on shutdown). */
export async function connectCatalog(
  client: ServiceContext<unknown>['client'],
  address: string,
): Promise<CatalogPort> {
  return catalogAdapter(await client(CatalogServiceService, address));
}

/** CatalogPort over the catalog's gRPC client. Its errors pass through (transient ones become UNAVAILABLE). */
export function catalogAdapter(client: TypedClient<typeof CatalogServiceService>): CatalogPort {
  return {
    async getProducts(skus, ctx) {
      const res = await client.batchGetProducts({ skus }, { ctx });
      return new Map(res.products.map((p) => [p.sku, toProduct(p)]));
    },
  };
}

function toProduct(p: Product): CatalogProduct {
  return {
    sku: p.sku,
    name: p.name,
    active: p.active,
    price: moneyFromProto(p.price, `catalog price of ${p.sku}`),
  };
}
