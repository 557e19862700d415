/** Domain -> proto for shipments (timestamps as seconds + nanos, int64 as strings). */
import {
  ShipmentStatus as ProtoStatus,
  type Shipment as ProtoShipment,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import type { Shipment, ShipmentStatus } from '../domain/shipment';
import { toTimestamp } from '@meshcart/kit';

const STATUS: Record<ShipmentStatus, ProtoStatus> = {
  CREATED: ProtoStatus.SHIPMENT_STATUS_CREATED,
  DISPATCHED: ProtoStatus.SHIPMENT_STATUS_DISPATCHED,
  CANCELLED: ProtoStatus.SHIPMENT_STATUS_CANCELLED,
};

/** A tombstone (cancel before create) has no order, address, items or tracking number. */
export function toProtoShipment(s: Shipment): ProtoShipment {
  const d = s.details;
  return {
    shipmentId: s.id,
    orderId: d?.orderId ?? '',
    status: STATUS[s.status],
    address: d ? { ...d.address, lines: [...d.address.lines] } : undefined,
    items: d ? d.items.map((i) => ({ ...i })) : [],
    trackingNumber: d?.trackingNumber ?? '',
    createTime: toTimestamp(s.createdAt),
    updateTime: toTimestamp(s.updatedAt),
    releaseTime: s.releasedAt ? toTimestamp(s.releasedAt) : undefined,
  };
}
