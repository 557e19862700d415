import {
  type CallGraph,
  ErrorReason,
  errors,
  implement,
  type ImplementOptions,
} from '@meshcart/kit';
import { OrderSagaServiceService, OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { ShipmentStatus } from '@meshcart/proto/shop/shipping/v1/shipping';
import type { OrdersApp } from '../app/orders.app';
import type {
  OrderStatus as DomainStatus,
  PaymentStatus as DomainPayment,
  ShipmentStatus as DomainShipment,
} from '../domain/order';
import { enumName, orderToProto } from './order.mapping';

/** Service identities the call graph lets call `path` (the same list the mesh policy is rendered from). */
export function allowedServiceSubjects(graph: CallGraph, path: string): ReadonlySet<string> {
  return new Set(
    [...graph.allowed.keys()]
      .filter((caller) => graph.allows(caller, path))
      .map((c) => `service:${c}`),
  );
}

/**
 * OrderSagaService: internal. Needs the `service` role and, beyond that, a workload the call
 * graph allows (the saga worker), so a token of another service cannot forge saga progress.
 */
export function orderSagaServiceImpl(
  app: OrdersApp,
  graph: CallGraph,
  opts: Omit<ImplementOptions<typeof OrderSagaServiceService>, 'access'>,
) {
  const allowed = allowedServiceSubjects(graph, OrderSagaServiceService.recordOrderProgress.path);
  return implement(
    OrderSagaServiceService,
    {
      recordOrderProgress: async (req, ctx) => {
        if (!allowed.has(ctx.caller?.subject ?? '')) {
          throw errors.permissionDenied(ErrorReason.ERROR_REASON_CALLER_NOT_ALLOWED, {
            message: 'only the order saga records progress',
          });
        }
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
    },
    { ...opts, access: { recordOrderProgress: 'service' } },
  );
}
