import { status, type ServiceError } from '@grpc/grpc-js';
import { readErrorDetails, type ErrorDetails } from '../errors/status-details';
import type { FieldViolation } from '../errors/domain-error';

/** Codes a caller may retry (with the same idempotency key). */
export const TRANSIENT_CODES: ReadonlySet<status> = new Set([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.RESOURCE_EXHAUSTED,
  status.ABORTED,
]);

/** A failed outgoing call, with the server's ErrorInfo and field violations decoded. */
export class GrpcCallError extends Error {
  readonly code: status;
  readonly reason: string | undefined;
  readonly domain: string | undefined;
  readonly metadata: Record<string, string>;
  readonly violations: FieldViolation[];
  /** RetryInfo.retry_delay the server sent (overload, throttling), in milliseconds. */
  readonly retryDelayMs: number | undefined;
  readonly method: string;

  constructor(method: string, err: Partial<ServiceError>) {
    const d: ErrorDetails = readErrorDetails(err);
    super(`${method}: ${status[d.code] ?? d.code}${d.reason ? ` ${d.reason}` : ''}: ${d.message}`);
    this.name = 'GrpcCallError';
    this.method = method;
    this.code = d.code;
    this.reason = d.reason;
    this.domain = d.domain;
    this.metadata = d.metadata;
    this.violations = d.violations;
    this.retryDelayMs = d.retryDelayMs;
  }

  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }
}
