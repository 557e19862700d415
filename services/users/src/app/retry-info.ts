/**
 * Adds google.rpc.RetryInfo to the answers that say when to come back.
 *
 * The kit encodes ErrorInfo and BadRequest only; users' throttling and overload errors carry
 * their delay as ErrorInfo metadata `retryDelayMs`, and this wrapper (applied by server.ts
 * around every method) appends the standard RetryInfo detail from it, so the edge and any gRPC
 * client read the delay the usual way (the edge maps it to Retry-After). When the kit learns to
 * encode RetryInfo itself, this file goes away and the errors keep their metadata.
 */
import {
  Metadata,
  type handleUnaryCall,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { ErrorInfo, RetryInfo } from '@meshcart/proto/google/rpc/error_details';
import { Status } from '@meshcart/proto/google/rpc/status';
import { STATUS_DETAILS_KEY } from '@meshcart/kit';

const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
export const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';
/** The ErrorInfo metadata key a retry delay travels in (milliseconds, decimal). */
export const RETRY_DELAY_KEY = 'retryDelayMs';

/** The error with a RetryInfo detail when its ErrorInfo names a retry delay (else unchanged). */
export function withRetryInfo(err: Partial<ServiceError>): Partial<ServiceError> {
  const raw = err.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (!raw || typeof raw === 'string') return err;
  const st = Status.decode(raw);
  if (st.details.some((d) => d.typeUrl === RETRY_INFO_TYPE)) return err;
  const info = st.details.find((d) => d.typeUrl === ERROR_INFO_TYPE);
  const ms = Number(info ? ErrorInfo.decode(info.value).metadata[RETRY_DELAY_KEY] : NaN);
  if (!Number.isFinite(ms) || ms < 0) return err;
  const retryDelay = { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
  st.details.push({
    typeUrl: RETRY_INFO_TYPE,
    value: Buffer.from(RetryInfo.encode({ retryDelay }).finish()),
  });
  const metadata = err.metadata!.clone();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(Status.encode(st).finish()));
  return { ...err, metadata };
}

/** The retry delay (ms) in a failed call's RetryInfo, or undefined (tests and clients). */
export function retryDelayMsOf(err: { metadata?: Metadata }): number | undefined {
  const raw = err.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (!raw || typeof raw === 'string') return undefined;
  const detail = Status.decode(raw).details.find((d) => d.typeUrl === RETRY_INFO_TYPE);
  const d = detail ? RetryInfo.decode(detail.value).retryDelay : undefined;
  return d ? Number(d.seconds) * 1000 + Math.round(d.nanos / 1_000_000) : undefined;
}

/**
 * Wraps every unary method of an implementation: `before` sees each call first (the peer
 * registry), and failed answers get their RetryInfo.
 */
export function wrapUnaryMethods(
  impl: UntypedServiceImplementation,
  before: (call: ServerUnaryCall<unknown, unknown>) => void,
): UntypedServiceImplementation {
  const out: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(impl)) {
    const inner = handler as handleUnaryCall<unknown, unknown>;
    const wrapped: handleUnaryCall<unknown, unknown> = (call, callback) => {
      before(call);
      const answer: sendUnaryData<unknown> = (err, res) =>
        err ? callback(withRetryInfo(err), res) : callback(err, res);
      inner(call, answer);
    };
    out[name] = wrapped;
  }
  return out;
}
