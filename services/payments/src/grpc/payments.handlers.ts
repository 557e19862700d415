/** PaymentService handlers: validate, call the use case, map back. Nothing else. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  errorDomain,
  implement,
  serviceOptions,
  toTimestamp,
  type HandlerBase,
} from '@meshcart/kit';
import { PaymentServiceService } from '@meshcart/proto/shop/payments/v1/payments';
import type { PaymentsApp } from '../app/payments.app';
import type { VaultApp } from '../app/vault.app';
import type { PaymentProvider } from '../domain/payment-provider';
import { toProtoPayment } from './payments.mapping';
import {
  validateAuthorize,
  validatePaymentId,
  validateRefund,
  validateVault,
} from '../domain/payments.validation';

export const PAYMENTS_ERROR_DOMAIN = errorDomain('payments');

export interface PaymentHandlerDeps extends HandlerBase {
  app: PaymentsApp;
  vault: VaultApp;
  provider: PaymentProvider;
}

export function paymentServiceImpl(deps: PaymentHandlerDeps): UntypedServiceImplementation {
  const { app, vault } = deps;
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
      vaultPaymentMethod: async (req, ctx) => {
        const cmd = validateVault(req, deps.provider);
        const out = await vault.vault(cmd);
        // Never the token: the id it is now known by.
        ctx.logger.info({ payment_method_id: out.paymentMethodId }, 'payment method vaulted');
        return { paymentMethodId: out.paymentMethodId, expireTime: toTimestamp(out.expireTime) };
      },
    },
    {
      ...serviceOptions(deps, PAYMENTS_ERROR_DOMAIN),
      // Internal service: only workloads (the saga worker; orders vaults); operators may read.
      access: {
        vaultPaymentMethod: 'service',
        authorizePayment: 'service',
        capturePayment: 'service',
        voidAuthorization: 'service',
        refundPayment: 'service',
        getPayment: ['service', 'admin'],
      },
    },
  );
}
