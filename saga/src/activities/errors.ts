import { status } from '@grpc/grpc-js';
import { ApplicationFailure } from '@temporalio/common';
import { type ErrorReason, GrpcCallError, isReason } from '@meshcart/kit';

/**
 * Business outcomes: retrying with the same idempotency key gives the same answer, so the
 * failure is final and its ErrorInfo reason becomes the ApplicationFailure type (the saga's
 * cancellation_reason, e.g. OUT_OF_STOCK, PAYMENT_DECLINED, DESTINATION_NOT_SERVED).
 */
const BUSINESS_CODES: ReadonlySet<status> = new Set([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.FAILED_PRECONDITION,
  status.ALREADY_EXISTS,
]);

/**
 * Identity faults: every call the saga makes runs as the worker's own service identity, so
 * UNAUTHENTICATED (TOKEN_INVALID: its key not yet trusted by the callee) and PERMISSION_DENIED
 * (METHOD_NOT_IN_CALL_GRAPH, ROLE_REQUIRED: a policy out of step) say the platform is
 * misconfigured, mid-rotation or mid-rollout, not that the order cannot be done. Retried with
 * backoff like a transient fault until someone fixes it (the retry policy's budget bounds
 * them, saga/README.md "Identity faults and key rotation"); never a cancellation reason.
 */
export const IDENTITY_CODES: ReadonlySet<status> = new Set([
  status.UNAUTHENTICATED,
  status.PERMISSION_DENIED,
]);

/** The reason of a failure: ErrorInfo reason, else the gRPC code name. */
export function reasonOf(err: GrpcCallError): string {
  return err.reason ?? status[err.code] ?? String(err.code);
}

/**
 * The one mapping from a failed service call to what Temporal should do with it.
 * Business codes: non-retryable, type = reason. Transient codes (UNAVAILABLE, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED, ABORTED; grpc-js reports refused connections as UNAVAILABLE), identity
 * faults (IDENTITY_CODES) and anything unknown (INTERNAL, a bug being fixed, a crashed
 * handler): retryable, so the activity's retry policy backs off and tries again with the same
 * key. The type is always the ErrorInfo reason (else the code name), so a pending activity shows
 * why it is retrying (e.g. TOKEN_INVALID) in `temporal workflow describe`.
 */
export function toActivityFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof GrpcCallError)) return err instanceof Error ? err : new Error(String(err));
  const details = [
    {
      code: status[err.code],
      reason: err.reason ?? null,
      method: err.method,
      metadata: err.metadata,
    },
  ];
  return ApplicationFailure.create({
    message: err.message,
    type: reasonOf(err),
    nonRetryable: BUSINESS_CODES.has(err.code),
    details,
  });
}

/** True when a call failed with this business code (and reason, when given). */
export function isBusinessError(
  err: unknown,
  code: status,
  reason?: ErrorReason,
): err is GrpcCallError {
  return (
    err instanceof GrpcCallError &&
    err.code === code &&
    (reason === undefined || isReason(err.reason, reason))
  );
}

/** Runs one service call and maps its failure. */
export async function mapped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActivityFailure(err);
  }
}
