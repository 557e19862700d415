/** InventoryService (public, read-only): GetStock. */
import { implement, type ImplementOptions } from '@meshcart/kit';
import { InventoryServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import { skuNotFound } from '../domain/stock';
import { validateSku } from '../domain/inventory.validation';
import type { StockStore } from '../store/stock.store';

type Options = Omit<ImplementOptions<typeof InventoryServiceService>, 'access'>;

export function inventoryService(stock: StockStore, opts: Options) {
  return implement(
    InventoryServiceService,
    {
      getStock: async (req) => {
        const sku = validateSku(req.sku);
        const level = await stock.get(sku);
        if (!level) throw skuNotFound(sku);
        return { sku, available: level.available };
      },
    },
    { ...opts, access: { getStock: 'public' } },
  );
}
