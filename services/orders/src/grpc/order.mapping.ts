import { toTimestamp } from '@meshcart/kit';
import {
  OrderStatus as ProtoOrderStatus,
  type Order as ProtoOrder,
} from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentStatus as ProtoPaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { ShipmentStatus as ProtoShipmentStatus } from '@meshcart/proto/shop/shipping/v1/shipping';
import type { Order } from '../domain/order';
import { customerStatusMessage } from '../domain/status-message';
import { moneyToProto } from '../downstream/money';

type Named<T extends string> = T | 'UNSPECIFIED' | 'UNRECOGNIZED';

/**
 * Domain order -> proto, as its customer may see it. The payment token is not part of the domain
 * order, so it cannot leak here; the operator-facing status detail is left out on purpose
 * (deprecated `status_detail` stays empty; operators read it through OrderAdminService).
 */
export function orderToProto(o: Order): ProtoOrder {
  const money = (amount: bigint) => moneyToProto(o.currencyCode, amount);
  return {
    id: o.id,
    status: ProtoOrderStatus[`ORDER_STATUS_${o.status}`],
    cancellationReason: o.cancellationReason,
    items: o.items.map((i) => ({
      sku: i.sku,
      quantity: i.quantity,
      name: i.name,
      unitPrice: money(i.unitPriceMinor),
      lineTotal: money(i.lineTotalMinor),
    })),
    total: money(o.totalMinor),
    paymentStatus: o.paymentStatus
      ? ProtoPaymentStatus[`PAYMENT_STATUS_${o.paymentStatus}`]
      : ProtoPaymentStatus.PAYMENT_STATUS_UNSPECIFIED,
    shipmentStatus: o.shipmentStatus
      ? ProtoShipmentStatus[`SHIPMENT_STATUS_${o.shipmentStatus}`]
      : ProtoShipmentStatus.SHIPMENT_STATUS_UNSPECIFIED,
    createTime: toTimestamp(o.createTime),
    updateTime: toTimestamp(o.updateTime),
    subtotal: money(o.subtotalMinor),
    shippingCost: money(o.shippingMinor),
    shippingAddress: { ...o.shippingAddress, lines: [...o.shippingAddress.lines] },
    requestId: o.requestId,
    step: o.step,
    statusDetail: '',
    statusMessage: customerStatusMessage(o.status, o.cancellationReason),
  };
}

/** Proto enum value -> the domain name without the enum prefix (`PAYMENT_STATUS_VOIDED` -> `VOIDED`). */
export function enumName<T extends string>(
  names: Record<number, string>,
  prefix: string,
  value: number,
): Named<T> {
  const name = names[value];
  if (name === undefined || name === 'UNRECOGNIZED' || !name.startsWith(prefix))
    return 'UNRECOGNIZED';
  return name.slice(prefix.length) as Named<T>;
}
