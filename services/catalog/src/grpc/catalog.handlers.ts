/** CatalogService (reads) and CatalogAdminService (writes) handlers: validate, call the store, translate. */
import {
  errorDomain,
  implement,
  Violations,
  serviceOptions,
  type HandlerBase,
} from '@meshcart/kit';
import {
  CatalogAdminServiceService,
  CatalogServiceService,
} from '@meshcart/proto/shop/catalog/v1/catalog';
import { encodePageToken, validateBatch, validateListRequest } from '../domain/listing';
import { checkSku, validateProductWrite } from '../domain/product';
import type { CatalogStore } from '../store/catalog.store';
import { toProtoProduct } from './catalog.mapping';

export interface CatalogHandlerDeps extends HandlerBase {
  store: CatalogStore;
}

const DOMAIN = errorDomain('catalog');

export function catalogImplementation(deps: CatalogHandlerDeps) {
  const { store } = deps;
  return implement(
    CatalogServiceService,
    {
      async getProduct(req) {
        const v = new Violations();
        checkSku(v, 'sku', req.sku);
        v.throwIfAny();
        return { product: toProtoProduct(await store.get(req.sku)) };
      },

      async listProducts(req) {
        const q = validateListRequest(req);
        // One extra row tells whether another page exists without a COUNT.
        const rows = await store.listActive({
          category: q.category,
          afterSku: q.afterSku,
          limit: q.limit + 1,
        });
        const page = rows.slice(0, q.limit);
        const last = page[page.length - 1];
        return {
          products: page.map(toProtoProduct),
          nextPageToken:
            rows.length > q.limit && last
              ? encodePageToken({ afterSku: last.sku, category: q.category })
              : '',
        };
      },

      async batchGetProducts(req) {
        const skus = validateBatch(req.skus);
        const found = new Map((await store.getMany(skus)).map((p) => [p.sku, p]));
        return {
          products: skus.flatMap((sku) => {
            const p = found.get(sku);
            return p ? [toProtoProduct(p)] : [];
          }),
          missingSkus: skus.filter((sku) => !found.has(sku)),
        };
      },
    },
    {
      ...serviceOptions(deps, DOMAIN),
      access: { getProduct: 'public', listProducts: 'public', batchGetProducts: 'service' },
    },
  );
}

export function catalogAdminImplementation(deps: CatalogHandlerDeps) {
  const { store } = deps;
  return implement(
    CatalogAdminServiceService,
    {
      async createProduct(req, ctx) {
        const { sku, fields } = validateProductWrite(req);
        const product = await store.create(sku, fields);
        ctx.logger.info({ sku, by: ctx.caller?.subject }, 'product created (or repeated)');
        return { product: toProtoProduct(product) };
      },

      async updateProduct(req, ctx) {
        const { sku, fields } = validateProductWrite(req);
        const product = await store.update(sku, fields);
        ctx.logger.info({ sku, by: ctx.caller?.subject }, 'product updated');
        return { product: toProtoProduct(product) };
      },
    },
    {
      ...serviceOptions(deps, DOMAIN),
      access: { createProduct: 'admin', updateProduct: 'admin' },
    },
  );
}
