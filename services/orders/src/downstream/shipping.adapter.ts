import { status } from '@grpc/grpc-js';
import {
  ErrorReason,
  GrpcCallError,
  isReason,
  type ServiceContext,
  type TypedClient,
} from '@meshcart/kit';
import { ShippingServiceService } from '@meshcart/proto/shop/shipping/v1/shipping';
import type { ShippingPort } from '../app/ports';
import { moneyFromProto } from './money';

/** The shipping port over a client the chassis opens (and closes on shutdown). */
export async function connectShipping(
  client: ServiceContext<unknown>['client'],
  address: string,
): Promise<ShippingPort> {
  return shippingAdapter(await client(ShippingServiceService, address));
}

/**
 * ShippingPort over the shipping gRPC client. DESTINATION_NOT_SERVED is an answer, not a
 * failure: the order is still accepted and its saga cancels it when booking the shipment fails.
 */
export function shippingAdapter(client: TypedClient<typeof ShippingServiceService>): ShippingPort {
  return {
    async quote({ address, items, currencyCode }, ctx) {
      try {
        const res = await client.quoteShipping({ address, items, currencyCode }, { ctx });
        return { served: true, price: moneyFromProto(res.price, 'shipping quote') };
      } catch (e) {
        if (
          e instanceof GrpcCallError &&
          e.code === status.FAILED_PRECONDITION &&
          isReason(e.reason, ErrorReason.ERROR_REASON_DESTINATION_NOT_SERVED)
        ) {
          return { served: false };
        }
        throw e;
      }
    },
  };
}
