/** Domain types of the orders service: plain data, money as bigint minor units. */
import type { PostalAddress } from '@meshcart/kit';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'NEEDS_ATTENTION';
export type PaymentStatus =
  'AUTHORIZED' | 'CAPTURED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED' | 'DECLINED';
export type ShipmentStatus = 'CREATED' | 'DISPATCHED' | 'CANCELLED';

/** An amount in the minor unit of an ISO 4217 currency; never a float. */
export interface Money {
  currencyCode: string;
  amountMinor: bigint;
}

/** A postal address: the kit's vocabulary type (one definition for every service). */
export type Address = PostalAddress;

export interface OrderLine {
  sku: string;
  quantity: number;
  /** Product name when ordered. */
  name: string;
  unitPriceMinor: bigint;
  lineTotalMinor: bigint;
}

/** An order as the API shows it. Deliberately has no payment token. */
export interface Order {
  id: string;
  userId: string;
  requestId: string;
  status: OrderStatus;
  cancellationReason: string;
  paymentStatus: PaymentStatus | null;
  shipmentStatus: ShipmentStatus | null;
  step: string;
  statusDetail: string;
  currencyCode: string;
  items: OrderLine[];
  subtotalMinor: bigint;
  shippingMinor: bigint;
  totalMinor: bigint;
  shippingAddress: Address;
  createTime: Date;
  updateTime: Date;
}

/** Statuses after which nothing changes any more. */
export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set([
  'CANCELLED',
  'NEEDS_ATTENTION',
]);
