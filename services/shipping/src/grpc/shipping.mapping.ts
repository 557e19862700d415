/** Domain -> proto for shipments (timestamps as seconds + nanos, int64 as strings). */
import type { Timestamp } from '@meshcart/proto/google/protobuf/timestamp';
import {
  ShipmentStatus as ProtoStatus,
  type Shipment as ProtoShipment,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import type { Shipment, ShipmentStatus } from '../domain/shipment';

const STATUS: Record<ShipmentStatus, ProtoStatus> = {
  CREATED: ProtoStatus.SHIPMENT_STATUS_CREATED,
  DISPATCHED: ProtoStatus.SHIPMENT_STATUS_DISPATCHED,
  CANCELLED: ProtoStatus.SHIPMENT_STATUS_CANCELLED,
};

export function toTimestamp(d: Date): Timestamp {
  const ms = d.getTime();
  return {
    seconds: String(Math.floor(ms / 1000)),
    nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000,
  };
}

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
  };
}
