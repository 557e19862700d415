/**
 * Typed clients a test uses against the spawned services, each acting as the caller the
 * service expects: a customer for orders, admin for seeding and dispatch, the saga-worker
 * identity for the internal reads (GetPayment, GetReservation, GetShipment).
 */
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { createClient, GrpcCallError } from '@meshcart/kit';
import type { TestAuth } from '@meshcart/kit/testkit';
import { CatalogAdminServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import {
  InventoryAdminServiceService,
  ReservationServiceService,
} from '@meshcart/proto/shop/inventory/v1/inventory';
import {
  OrderServiceService,
  OrderStatus,
  type Order,
} from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentServiceService } from '@meshcart/proto/shop/payments/v1/payments';
import {
  ShippingCarrierServiceService,
  ShippingServiceService,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import type { SagaAddress } from '../../src/contract';
import type { Svc } from './saga-stack';

export const ADDRESS_DE: SagaAddress = {
  recipient: 'Ada Lovelace',
  lines: ['1 Main St'],
  city: 'Berlin',
  postalCode: '10115',
  countryCode: 'DE',
};

export type StackClients = ReturnType<typeof stackClients>;

export function stackClients(addresses: Record<Svc, string>, auth: TestAuth) {
  const as = (token: () => Promise<string>) => ({ caller: null, token, defaultTimeoutMs: 10_000 });
  const admin = as(() => auth.adminToken());
  const saga = as(() => auth.serviceToken('saga-worker'));
  const c = {
    catalogAdmin: createClient(CatalogAdminServiceService, addresses.catalog, admin),
    inventoryAdmin: createClient(InventoryAdminServiceService, addresses.inventory, admin),
    reservations: createClient(ReservationServiceService, addresses.inventory, saga),
    payments: createClient(PaymentServiceService, addresses.payments, saga),
    shipping: createClient(ShippingServiceService, addresses.shipping, saga),
    carrier: createClient(ShippingCarrierServiceService, addresses.shipping, admin),
    orders: createClient(OrderServiceService, addresses.orders, {
      caller: null,
      defaultTimeoutMs: 15_000,
    }),
  };

  const asUser = async (userId: string) => ({
    metadata: auth.bearer(await auth.userToken(userId)),
  });

  return {
    ...c,
    /** A fresh product (unique sku) priced `priceMinor` EUR with `onHand` in stock. */
    async seedProduct(onHand: number, priceMinor = 1000): Promise<string> {
      const sku = `S-${randomBytes(5).toString('hex').toUpperCase()}`;
      await c.catalogAdmin.createProduct({
        sku,
        fields: {
          name: `Product ${sku}`,
          description: '',
          category: 'test',
          price: { currencyCode: 'EUR', amountMinor: String(priceMinor) },
          active: true,
        },
      });
      await c.inventoryAdmin.setStock({ sku, onHand, note: 'saga integration test' });
      return sku;
    },
    /**
     * PlaceOrder as customer `userId`; answers at once with the PENDING order. Retried with the
     * same request id while it answers UNAVAILABLE (as the API contract tells clients to): PlaceOrder
     * vaults the card token in payments, so it fails while payments is down (crash.test.ts).
     */
    async placeOrder(
      userId: string,
      items: { sku: string; quantity: number }[],
      opts: { token?: string; address?: SagaAddress } = {},
    ): Promise<Order> {
      const req = {
        requestId: randomBytes(8).toString('hex'),
        items,
        shippingAddress: opts.address ?? ADDRESS_DE,
        paymentToken: opts.token ?? 'tok_visa',
      };
      const until = Date.now() + 60_000;
      for (;;) {
        try {
          return (await c.orders.placeOrder(req, await asUser(userId))).order!;
        } catch (e) {
          if (!(e instanceof GrpcCallError && e.code === status.UNAVAILABLE) || Date.now() > until)
            throw e;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    },
    async getOrder(userId: string, orderId: string): Promise<Order> {
      return (await c.orders.getOrder({ orderId }, await asUser(userId))).order!;
    },
    async cancelOrder(userId: string, orderId: string): Promise<Order> {
      return (await c.orders.cancelOrder({ orderId }, await asUser(userId))).order!;
    },
    /** Polls GetOrder until it leaves PENDING (or `until` holds). */
    async waitOrder(
      userId: string,
      orderId: string,
      opts: { timeoutMs?: number; until?: (o: Order) => boolean } = {},
    ): Promise<Order> {
      const until = opts.until ?? ((o: Order) => o.status !== OrderStatus.ORDER_STATUS_PENDING);
      const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
      for (;;) {
        const order = await this.getOrder(userId, orderId);
        if (until(order)) return order;
        if (Date.now() > deadline)
          throw new Error(
            `order ${orderId} still ${OrderStatus[order.status]} (step ${order.step})`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    close: () => Object.values(c).forEach((x) => x.close()),
  };
}
