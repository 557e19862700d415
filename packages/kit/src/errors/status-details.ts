import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { Status } from '@meshcart/proto/google/rpc/status';
import { BadRequest, ErrorInfo, RetryInfo } from '@meshcart/proto/google/rpc/error_details';
import { DomainError, type FieldViolation } from './domain-error';

/** Trailer carrying the binary google.rpc.Status (the gRPC rich error model). */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const TYPE_PREFIX = 'type.googleapis.com/';
const ERROR_INFO_TYPE = `${TYPE_PREFIX}google.rpc.ErrorInfo`;
const BAD_REQUEST_TYPE = `${TYPE_PREFIX}google.rpc.BadRequest`;
const RETRY_INFO_TYPE = `${TYPE_PREFIX}google.rpc.RetryInfo`;

/** Milliseconds as a google.protobuf.Duration (whole seconds + nanos). */
function durationOf(ms: number) {
  const whole = Math.max(0, Math.round(ms));
  return { seconds: String(Math.floor(whole / 1000)), nanos: (whole % 1000) * 1_000_000 };
}

/** What a caller can read back from a failed call. */
export interface ErrorDetails {
  code: status;
  message: string;
  reason?: string;
  domain?: string;
  metadata: Record<string, string>;
  violations: FieldViolation[];
  /** RetryInfo.retry_delay in milliseconds, when the server sent one. */
  retryDelayMs?: number;
}

/** Builds the status object (code, message, details trailer) for a DomainError. */
export function domainErrorToStatus(err: DomainError, domain: string): Partial<StatusObject> {
  const details = [
    {
      typeUrl: ERROR_INFO_TYPE,
      value: Buffer.from(
        ErrorInfo.encode({ reason: err.reason, domain, metadata: err.metadata }).finish(),
      ),
    },
  ];
  if (err.violations.length > 0) {
    const fieldViolations = err.violations.map((v) => ({
      field: v.field,
      description: v.description,
      reason: '',
      localizedMessage: undefined,
    }));
    details.push({
      typeUrl: BAD_REQUEST_TYPE,
      value: Buffer.from(BadRequest.encode({ fieldViolations }).finish()),
    });
  }
  if (err.retryDelayMs !== undefined) {
    details.push({
      typeUrl: RETRY_INFO_TYPE,
      value: Buffer.from(RetryInfo.encode({ retryDelay: durationOf(err.retryDelayMs) }).finish()),
    });
  }
  const body = Status.encode({ code: err.code, message: err.message, details }).finish();
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(body));
  return { code: err.code, details: err.message, metadata };
}

/** Reads code, ErrorInfo and BadRequest back from a failed call (the reverse mapping). */
export function readErrorDetails(err: Partial<ServiceError>): ErrorDetails {
  const out: ErrorDetails = {
    code: typeof err.code === 'number' ? err.code : status.UNKNOWN,
    message: err.details ?? err.message ?? '',
    metadata: {},
    violations: [],
  };
  const raw = err.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (!raw || typeof raw === 'string') return out;
  const decoded = Status.decode(raw);
  for (const any of decoded.details) {
    if (any.typeUrl === ERROR_INFO_TYPE) {
      const info = ErrorInfo.decode(any.value);
      out.reason = info.reason;
      out.domain = info.domain;
      out.metadata = { ...info.metadata };
    } else if (any.typeUrl === BAD_REQUEST_TYPE) {
      out.violations = BadRequest.decode(any.value).fieldViolations.map((v) => ({
        field: v.field,
        description: v.description,
      }));
    } else if (any.typeUrl === RETRY_INFO_TYPE) {
      const d = RetryInfo.decode(any.value).retryDelay;
      if (d) out.retryDelayMs = Number(d.seconds) * 1000 + Math.round(d.nanos / 1_000_000);
    }
  }
  return out;
}
