import type { RecordOrderProgressRequest } from '@meshcart/proto/shop/orders/v1/orders';

/** A RecordOrderProgress request that changes nothing but the sequence; override the rest. */
export function progress(
  orderId: string,
  sequence: number,
  fields: Partial<RecordOrderProgressRequest> = {},
): RecordOrderProgressRequest {
  return {
    orderId,
    sequence: String(sequence),
    status: 0,
    cancellationReason: '',
    paymentStatus: 0,
    shipmentStatus: 0,
    step: '',
    statusDetail: '',
    ...fields,
  };
}
