import { status } from '@grpc/grpc-js';
import {
  ErrorReason,
  errors,
  GrpcCallError,
  isReason,
  type ServiceContext,
  type TypedClient,
} from '@meshcart/kit';
import { PaymentServiceService } from '@meshcart/proto/shop/payments/v1/payments';
import type { PaymentVaultPort } from '../app/ports';

const dateOf = (t: { seconds: string; nanos: number }): Date =>
  new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1_000_000));

/** The vault port over a payments client the chassis opens (and closes on shutdown). */
export async function connectPaymentVault(
  client: ServiceContext<unknown>['client'],
  address: string,
): Promise<PaymentVaultPort> {
  return paymentVaultAdapter(await client(PaymentServiceService, address));
}

/**
 * PaymentVaultPort over the payments gRPC client. The vault's answers about the request become
 * PlaceOrder's own: a token the payment provider does not accept is INVALID_ARGUMENT on
 * `paymentToken`, a vault request id used with another token is IDEMPOTENCY_KEY_REUSED (the
 * request id reused after a PlaceOrder that failed before storing its order). Transient
 * failures pass through (UNAVAILABLE DEPENDENCY_UNAVAILABLE: retry with the same request id).
 */
export function paymentVaultAdapter(
  client: TypedClient<typeof PaymentServiceService>,
): PaymentVaultPort {
  return {
    async vault({ customerId, vaultRequestId, paymentToken }, ctx) {
      try {
        const res = await client.vaultPaymentMethod(
          { customerId, vaultRequestId, paymentToken },
          { ctx },
        );
        if (!res.paymentMethodId) throw new Error('payments vaulted without a payment method id');
        return {
          paymentMethodId: res.paymentMethodId,
          ...(res.expireTime && { expireTime: dateOf(res.expireTime) }),
        };
      } catch (e) {
        if (!(e instanceof GrpcCallError)) throw e;
        if (
          e.code === status.INVALID_ARGUMENT &&
          e.violations.some((v) => v.field === 'paymentToken')
        ) {
          throw errors.invalidArgument([
            { field: 'paymentToken', description: 'is not a token the payment provider accepts' },
          ]);
        }
        if (
          e.code === status.ALREADY_EXISTS &&
          isReason(e.reason, ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED)
        ) {
          throw errors.alreadyExists(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, {
            message: 'request_id was already used with another payment token',
            metadata: { requestId: vaultRequestId },
          });
        }
        throw e;
      }
    },
  };
}
