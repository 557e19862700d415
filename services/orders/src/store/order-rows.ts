import type { Order as OrderRow, OrderItem as OrderItemRow } from './generated/prisma/client';
import type { Order } from '../domain/order';

/** Include clause that loads an order's lines in their requested order. */
export const WITH_ITEMS = { items: { orderBy: { lineNo: 'asc' } } } as const;

/** Row -> domain order. The payment token column is never copied out. */
export function toOrder(row: OrderRow & { items: OrderItemRow[] }): Order {
  return {
    id: row.id,
    userId: row.userId,
    requestId: row.requestId,
    status: row.status,
    cancellationReason: row.cancellationReason,
    paymentStatus: row.paymentStatus,
    shipmentStatus: row.shipmentStatus,
    step: row.step,
    statusDetail: row.statusDetail,
    currencyCode: row.currencyCode,
    items: row.items.map((i) => ({
      sku: i.sku,
      quantity: i.quantity,
      name: i.name,
      unitPriceMinor: i.unitPriceMinor,
      lineTotalMinor: i.lineTotalMinor,
    })),
    subtotalMinor: row.subtotalMinor,
    shippingMinor: row.shippingMinor,
    totalMinor: row.totalMinor,
    shippingAddress: {
      recipient: row.shipRecipient,
      lines: linesOf(row.shipLines),
      city: row.shipCity,
      postalCode: row.shipPostalCode,
      countryCode: row.shipCountryCode,
    },
    createTime: row.createTime,
    updateTime: row.updateTime,
  };
}

function linesOf(json: unknown): string[] {
  if (!Array.isArray(json) || !json.every((l) => typeof l === 'string'))
    throw new Error('orders.ship_lines is not a JSON array of strings');
  return json;
}
