import { status } from '@grpc/grpc-js';
import { ErrorReason, reasonToWire, type ReasonLike, type WireReason } from './error-reason';

/** One invalid field, reported as a google.rpc.BadRequest field violation. */
export interface FieldViolation {
  /** Path of the field in the request, e.g. `items[2].quantity` (proto field names). */
  field: string;
  description: string;
}

export interface DomainErrorInit {
  /** A value of the generated ErrorReason list; sent as its short wire form in ErrorInfo.reason. */
  reason: ReasonLike;
  /** Human-readable message; safe to send to callers (never internals). */
  message?: string;
  /** ErrorInfo.metadata: small string facts such as the sku that ran out. */
  metadata?: Record<string, string>;
  violations?: FieldViolation[];
  /**
   * google.rpc.RetryInfo.retry_delay: how long the caller should wait before trying again (sent
   * with overload and throttling answers, so clients and the edge's Retry-After agree).
   */
  retryDelayMs?: number;
  cause?: unknown;
}

/**
 * A failure the caller can act on. Domain and store code throw these; the handler wrapper
 * turns them into a gRPC status with google.rpc.Status details. Anything else is INTERNAL.
 */
export class DomainError extends Error {
  readonly code: status;
  /** The wire form, e.g. 'OUT_OF_STOCK' (what callers read back from ErrorInfo.reason). */
  readonly reason: WireReason;
  readonly metadata: Record<string, string>;
  readonly violations: FieldViolation[];
  /** RetryInfo delay in milliseconds; undefined = no RetryInfo sent. */
  readonly retryDelayMs: number | undefined;

  constructor(code: status, init: DomainErrorInit) {
    const reason = reasonToWire(init.reason);
    super(init.message ?? reason, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'DomainError';
    this.code = code;
    this.reason = reason;
    this.metadata = init.metadata ?? {};
    this.violations = init.violations ?? [];
    this.retryDelayMs = init.retryDelayMs;
  }
}

type Init = Omit<DomainErrorInit, 'reason'>;

/** Constructors for the codes our services use; the reason is always explicit. */
export const errors = {
  invalidArgument: (violations: FieldViolation[], init: Partial<DomainErrorInit> = {}) =>
    new DomainError(status.INVALID_ARGUMENT, {
      reason: ErrorReason.ERROR_REASON_INVALID_ARGUMENT,
      message: violations.map((v) => `${v.field}: ${v.description}`).join('; '),
      ...init,
      violations,
    }),
  notFound: (reason: ReasonLike, init: Init = {}) =>
    new DomainError(status.NOT_FOUND, { reason, ...init }),
  alreadyExists: (reason: ReasonLike, init: Init = {}) =>
    new DomainError(status.ALREADY_EXISTS, { reason, ...init }),
  failedPrecondition: (reason: ReasonLike, init: Init = {}) =>
    new DomainError(status.FAILED_PRECONDITION, { reason, ...init }),
  unauthenticated: (reason: ReasonLike, init: Init = {}) =>
    new DomainError(status.UNAUTHENTICATED, { reason, ...init }),
  permissionDenied: (reason: ReasonLike, init: Init = {}) =>
    new DomainError(status.PERMISSION_DENIED, { reason, ...init }),
  unavailable: (reason: ReasonLike, init: Init = {}) =>
    new DomainError(status.UNAVAILABLE, { reason, ...init }),
  aborted: (reason: ReasonLike, init: Init = {}) =>
    new DomainError(status.ABORTED, { reason, ...init }),
  resourceExhausted: (reason: ReasonLike, init: Init = {}) =>
    new DomainError(status.RESOURCE_EXHAUSTED, { reason, ...init }),
  deadlineExceeded: (reason: ReasonLike, init: Init = {}) =>
    new DomainError(status.DEADLINE_EXCEEDED, { reason, ...init }),
};

/** Collects field violations while validating a request; throws once with all of them. */
export class Violations {
  private readonly list: FieldViolation[] = [];

  add(field: string, description: string): this {
    this.list.push({ field, description });
    return this;
  }

  get size(): number {
    return this.list.length;
  }

  /** Throws INVALID_ARGUMENT with every violation collected so far, if any. */
  throwIfAny(): void {
    if (this.list.length > 0) throw errors.invalidArgument([...this.list]);
  }
}
