/** InventoryAdminService (callers with the `admin` role; never exposed on the edge). */
import { implement, type CallContext, type ImplementOptions } from '@meshcart/kit';
import { InventoryAdminServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import { validateAdjustStock, validateSetStock } from '../domain/inventory.validation';
import type { StockStore } from '../store/stock.store';
import { toProtoStock } from './inventory.mapping';

type Options = Omit<ImplementOptions<typeof InventoryAdminServiceService>, 'access'>;

/** Admin methods always have an authenticated caller; its subject goes into the audit row. */
const actorOf = (ctx: CallContext): string => ctx.caller?.subject ?? 'unknown';

export function adminService(stock: StockStore, opts: Options) {
  return implement(
    InventoryAdminServiceService,
    {
      setStock: async (req, ctx) => {
        validateSetStock(req);
        const level = await stock.set({
          sku: req.sku,
          onHand: req.onHand,
          note: req.note,
          actor: actorOf(ctx),
        });
        ctx.logger.info({ sku: req.sku, on_hand: level.onHand, actor: actorOf(ctx) }, 'stock set');
        return { stock: toProtoStock(level) };
      },
      adjustStock: async (req, ctx) => {
        validateAdjustStock(req);
        const level = await stock.adjust({ ...req, actor: actorOf(ctx) });
        ctx.logger.info(
          {
            sku: req.sku,
            adjustment_id: req.adjustmentId,
            on_hand: level.onHand,
            actor: actorOf(ctx),
          },
          'stock adjusted',
        );
        return { stock: toProtoStock(level) };
      },
    },
    { ...opts, access: { setStock: 'admin', adjustStock: 'admin' } },
  );
}
