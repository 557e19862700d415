/** Repository over the catalog database: returns domain types, maps key violations to domain errors. */
import { ErrorReason, errors, prismaCode } from '@meshcart/kit';
import { sameFields, type Product, type ProductFields } from '../domain/product';
import type { Db } from './db';

export interface CatalogStore {
  /**
   * Fails NOT_FOUND PRODUCT_NOT_FOUND. The public GetProduct read: behind withProductCache it may
   * be up to CATALOG_PRODUCT_CACHE_TTL_MS old, so never decide anything (pricing) with it.
   */
  get(sku: string): Promise<Product>;
  /** Active products after `afterSku` in sku order, optionally of one category. */
  listActive(q: {
    category: string;
    afterSku: string | undefined;
    limit: number;
  }): Promise<Product[]>;
  /** The products that exist among `skus`, in no particular order. */
  getMany(skus: string[]): Promise<Product[]>;
  /**
   * Creates a product once per sku: a repeat with the same fields returns the stored product,
   * with other fields fails ALREADY_EXISTS IDEMPOTENCY_KEY_REUSED.
   */
  create(sku: string, fields: ProductFields): Promise<Product>;
  /** Replaces the fields; a repeat changes nothing (not even update_time). NOT_FOUND PRODUCT_NOT_FOUND. */
  update(sku: string, fields: ProductFields): Promise<Product>;
}

type Row = {
  sku: string;
  name: string;
  description: string;
  category: string;
  priceMinor: bigint;
  currencyCode: string;
  active: boolean;
  updatedAt: Date;
};

const toProduct = (r: Row): Product => ({
  sku: r.sku,
  name: r.name,
  description: r.description,
  category: r.category,
  price: { currencyCode: r.currencyCode, amountMinor: r.priceMinor },
  active: r.active,
  updatedAt: r.updatedAt,
});

const toColumns = (f: ProductFields) => ({
  name: f.name,
  description: f.description,
  category: f.category,
  priceMinor: f.price.amountMinor,
  currencyCode: f.price.currencyCode,
  active: f.active,
});

/** NOT_FOUND PRODUCT_NOT_FOUND for `sku`. */
export const productNotFound = (sku: string) =>
  errors.notFound(ErrorReason.ERROR_REASON_PRODUCT_NOT_FOUND, {
    message: 'product not found',
    metadata: { sku },
  });

export function createCatalogStore(prisma: Db): CatalogStore {
  const find = async (sku: string) => {
    const row = await prisma.product.findUnique({ where: { sku } });
    return row ? toProduct(row) : undefined;
  };
  /** The stored product when it matches `fields`; IDEMPOTENCY_KEY_REUSED when it does not. */
  const sameOrReused = (existing: Product, fields: ProductFields): Product => {
    if (sameFields(existing, fields)) return existing;
    throw errors.alreadyExists(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, {
      message: 'a product with this sku exists with other fields',
      metadata: { sku: existing.sku },
    });
  };

  return {
    async get(sku) {
      const p = await find(sku);
      if (!p) throw productNotFound(sku);
      return p;
    },

    async listActive({ category, afterSku, limit }) {
      const rows = await prisma.product.findMany({
        where: {
          active: true,
          ...(category ? { category } : {}),
          ...(afterSku ? { sku: { gt: afterSku } } : {}),
        },
        orderBy: { sku: 'asc' },
        take: limit,
      });
      return rows.map(toProduct);
    },

    async getMany(skus) {
      return (await prisma.product.findMany({ where: { sku: { in: skus } } })).map(toProduct);
    },

    async create(sku, fields) {
      const existing = await find(sku);
      if (existing) return sameOrReused(existing, fields);
      try {
        return toProduct(await prisma.product.create({ data: { sku, ...toColumns(fields) } }));
      } catch (e) {
        // A concurrent create won the race: judge the repeat against what it stored.
        const winner = prismaCode(e) === 'P2002' ? await find(sku) : undefined;
        if (winner) return sameOrReused(winner, fields);
        throw e;
      }
    },

    async update(sku, fields) {
      const existing = await find(sku);
      if (!existing) throw productNotFound(sku);
      if (sameFields(existing, fields)) return existing;
      try {
        return toProduct(await prisma.product.update({ where: { sku }, data: toColumns(fields) }));
      } catch (e) {
        if (prismaCode(e) === 'P2025') throw productNotFound(sku);
        throw e;
      }
    },
  };
}
