/** Domain <-> proto conversions shared by the inventory handlers. */
import {
  ReservationStatus as ProtoStatus,
  type Reservation as ProtoReservation,
  type StockLevel as ProtoStockLevel,
} from '@meshcart/proto/shop/inventory/v1/inventory';
import type { Reservation, ReservationStatus } from '../domain/reservation';
import type { StockLevel } from '../domain/stock';
import { toTimestamp } from '@meshcart/kit';

const STATUS: Record<ReservationStatus, ProtoStatus> = {
  ACTIVE: ProtoStatus.RESERVATION_STATUS_ACTIVE,
  RELEASED: ProtoStatus.RESERVATION_STATUS_RELEASED,
  COMMITTED: ProtoStatus.RESERVATION_STATUS_COMMITTED,
  RETURNED: ProtoStatus.RESERVATION_STATUS_RETURNED,
};

export function toProtoReservation(r: Reservation): ProtoReservation {
  return {
    reservationId: r.id,
    status: STATUS[r.status],
    items: r.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
    createTime: toTimestamp(r.createdAt),
    updateTime: toTimestamp(r.updatedAt),
  };
}

export function toProtoStock(s: StockLevel): ProtoStockLevel {
  return { sku: s.sku, onHand: s.onHand, reserved: s.reserved, available: s.available };
}
