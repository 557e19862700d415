import { implement, type ImplementOptions } from '@meshcart/kit';
import {
  OrderSagaServiceService,
  OrderStatus,
  ReconcileOutcome,
} from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { ShipmentStatus } from '@meshcart/proto/shop/shipping/v1/shipping';
import type { OrdersApp } from '../app/orders.app';
import type {
  OrderStatus as DomainStatus,
  PaymentStatus as DomainPayment,
  ShipmentStatus as DomainShipment,
} from '../domain/order';
import { enumName, orderToProto } from './order.mapping';

/**
 * OrderSagaService: internal. Needs the `service` role, and the kit's call graph check admits
 * only the workloads the graph lets call it (the saga worker), so a token of another service
 * cannot forge saga progress (nor trigger the orphan reconciler, ReconcileOrphanOrders).
 */
export function orderSagaServiceImpl(
  app: OrdersApp,
  opts: Omit<ImplementOptions<typeof OrderSagaServiceService>, 'access'>,
) {
  return implement(
    OrderSagaServiceService,
    {
      recordOrderProgress: async (req, ctx) => {
        const result = await app.recordProgress(
          {
            orderId: req.orderId,
            sequence: req.sequence,
            status: enumName<DomainStatus>(OrderStatus, 'ORDER_STATUS_', req.status),
            cancellationReason: req.cancellationReason,
            paymentStatus: enumName<DomainPayment>(
              PaymentStatus,
              'PAYMENT_STATUS_',
              req.paymentStatus,
            ),
            shipmentStatus: enumName<DomainShipment>(
              ShipmentStatus,
              'SHIPMENT_STATUS_',
              req.shipmentStatus,
            ),
            step: req.step,
            statusDetail: req.statusDetail,
          },
          ctx,
        );
        return { order: orderToProto(result.order), applied: result.applied };
      },
      reconcileOrphanOrders: async (req, ctx) => ({
        orders: (await app.reconcileOrphans(req.maxOrders, ctx)).map((r) => ({
          orderId: r.orderId,
          outcome: ReconcileOutcome[`RECONCILE_OUTCOME_${r.outcome}`],
          detail: r.detail,
        })),
      }),
    },
    { ...opts, access: { recordOrderProgress: 'service', reconcileOrphanOrders: 'service' } },
  );
}
