/** PaymentService handlers: validate, call the use case, map back. Nothing else. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { errorDomain, implement, serviceOptions, type HandlerBase } from '@meshcart/kit';
import { PaymentServiceService } from '@meshcart/proto/shop/payments/v1/payments';
import type { PaymentsApp } from '../app/payments.app';
import type { PaymentProvider } from '../domain/payment-provider';
import { toProtoPayment } from './payments.mapping';
import {
  validateAuthorize,
  validatePaymentId,
  validateRefund,
} from '../domain/payments.validation';

export const PAYMENTS_ERROR_DOMAIN = errorDomain('payments');

export interface PaymentHandlerDeps extends HandlerBase {
  app: PaymentsApp;
  provider: PaymentProvider;
}

export function paymentServiceImpl(deps: PaymentHandlerDeps): UntypedServiceImplementation {
  const { app } = deps;
  return implement(
    PaymentServiceService,
    {
      authorizePayment: async (req, ctx) => {
        const cmd = validateAuthorize(req, deps.provider);
        ctx.logger.info({ payment_id: cmd.paymentId }, 'authorize payment'); // order_id: bound
        return { payment: toProtoPayment(await app.authorize(cmd)) };
      },
      capturePayment: async (req) => ({
        payment: toProtoPayment(await app.capture(validatePaymentId(req))),
      }),
      voidAuthorization: async (req) => ({
        payment: toProtoPayment(await app.void(validatePaymentId(req))),
      }),
      refundPayment: async (req) => ({
        payment: toProtoPayment(await app.refund(validateRefund(req))),
      }),
      getPayment: async (req) => ({
        payment: toProtoPayment(await app.get(validatePaymentId(req))),
      }),
    },
    {
      ...serviceOptions(deps, PAYMENTS_ERROR_DOMAIN),
      // Internal service: only workloads (the saga worker); operators may read.
      access: {
        authorizePayment: 'service',
        capturePayment: 'service',
        voidAuthorization: 'service',
        refundPayment: 'service',
        getPayment: ['service', 'admin'],
      },
    },
  );
}
