import {
  status,
  type handleUnaryCall,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { hasAccess, type AccessRule, type Principal } from '../auth/principal';
import type { TokenVerifier } from '../auth/jwt';
import { DomainError, errors } from '../errors/domain-error';
import { domainErrorToStatus } from '../errors/status-details';
import { GrpcCallError, TRANSIENT_CODES } from '../client/grpc-call-error';
import { propagatedMetadata, traceIdOf, type CallContext } from './call-context';
import { recordRpc } from '../telemetry/rpc-metrics';
import { activeTraceIds, tagOrderId } from '../telemetry/trace-context';

type ReqOf<M> = M extends { requestDeserialize: (b: Buffer) => infer R } ? R : never;
type ResOf<M> = M extends { responseSerialize: (v: infer R) => Buffer } ? R : never;

/** Handlers for every method of a generated service definition: async (request, ctx) -> response. */
export type UnaryHandlers<D extends ServiceDefinition> = {
  [K in keyof D]: (request: ReqOf<D[K]>, ctx: CallContext) => Promise<ResOf<D[K]>>;
};

/** Called once per finished call (extra metrics hook; RED metrics are recorded regardless). */
export type CallObserver = (info: { method: string; code: status; durationMs: number }) => void;

export interface ImplementOptions<D extends ServiceDefinition> {
  logger: Logger;
  /** ErrorInfo.domain of errors from this service, e.g. "inventory.meshcart". */
  domain: string;
  /** Access rule per method; a method without one needs an authenticated caller. */
  access: Partial<Record<keyof D, AccessRule>>;
  verifier?: TokenVerifier;
  /** Deadline applied when the client sent none. */
  defaultDeadlineMs?: number;
  observer?: CallObserver;
}

/**
 * Wraps typed async handlers into a grpc-js service implementation. The single place that
 * guarantees: exactly one answer per call, a deadline on every call, authentication per
 * method, and DomainError -> status with details (anything unknown -> INTERNAL, cause logged
 * but never sent).
 */
export function implement<D extends ServiceDefinition>(
  definition: D,
  handlers: UnaryHandlers<D>,
  opts: ImplementOptions<D>,
): UntypedServiceImplementation {
  const impl: UntypedServiceImplementation = {};
  for (const name of Object.keys(definition) as (keyof D & string)[]) {
    const path = definition[name]!.path;
    const rule = opts.access[name] ?? 'authenticated';
    const fn = handlers[name] as (req: unknown, ctx: CallContext) => Promise<unknown>;
    const unary: handleUnaryCall<unknown, unknown> = (call, callback) =>
      void runCall(path, rule, fn, call, callback, opts as ImplementOptions<ServiceDefinition>);
    impl[name] = unary;
  }
  return impl;
}

async function runCall(
  method: string,
  rule: AccessRule,
  fn: (req: unknown, ctx: CallContext) => Promise<unknown>,
  call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
  opts: ImplementOptions<ServiceDefinition>,
): Promise<void> {
  const started = performance.now();
  const requestId = call.metadata.get('x-request-id')[0];
  // With tracing on, the logger's mixin adds trace_id/span_id of the active (server) span;
  // without it, the caller's traceparent still correlates the lines.
  const traceId = activeTraceIds().trace_id ? undefined : traceIdOf(call.metadata);
  const orderId = orderIdOf(call.request);
  tagOrderId(orderId);
  const logger = opts.logger.child({
    rpc: method,
    ...(typeof requestId === 'string' ? { request_id: requestId } : {}),
    ...(traceId ? { trace_id: traceId } : {}),
    ...(orderId ? { order_id: orderId } : {}),
  });
  const clientDeadline = call.getDeadline();
  const deadlineMs =
    clientDeadline instanceof Date
      ? clientDeadline.getTime()
      : Number.isFinite(clientDeadline)
        ? Number(clientDeadline)
        : Date.now() + (opts.defaultDeadlineMs ?? 10_000);
  const controller = new AbortController();
  let answered = false;
  const answer = (err: Partial<ServiceError> | null, res?: unknown) => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    const code = err?.code ?? status.OK;
    const durationMs = performance.now() - started;
    recordRpc('server', method, code, durationMs);
    opts.observer?.({ method, code, durationMs });
    logger.debug({ code: status[code], ms: Math.round(durationMs) }, 'rpc done');
    callback(err, res);
  };
  const timer = setTimeout(
    () => {
      controller.abort(errors.deadlineExceeded('DEADLINE_EXCEEDED'));
      answer({ code: status.DEADLINE_EXCEEDED, details: 'deadline exceeded' });
    },
    Math.max(0, deadlineMs - Date.now()),
  );
  call.on('cancelled', () => {
    controller.abort(new Error('cancelled by client'));
    answer({ code: status.CANCELLED, details: 'cancelled' });
  });
  try {
    const caller = await authenticate(rule, call, opts.verifier);
    const ctx: CallContext = {
      method,
      logger,
      metadata: call.metadata,
      deadline: new Date(deadlineMs),
      signal: controller.signal,
      caller,
      propagate: propagatedMetadata(call.metadata),
    };
    const res = await fn(call.request, ctx);
    if (!orderId) tagOrderId(orderIdOf((res as { order?: unknown } | undefined)?.order, 'id'));
    answer(null, res);
  } catch (e) {
    answer(toStatus(e, opts.domain, logger));
  }
}

/** The order id a request (or, with key 'id', an Order) carries, for span attributes and logs. */
function orderIdOf(message: unknown, key: 'orderId' | 'id' = 'orderId'): string | undefined {
  const v = (message as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : undefined;
}

async function authenticate(
  rule: AccessRule,
  call: ServerUnaryCall<unknown, unknown>,
  verifier: TokenVerifier | undefined,
): Promise<Principal | undefined> {
  const header = call.metadata.get('authorization')[0];
  const token = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  if (rule === 'public') {
    // A stale token must not break public reads: use it when valid, ignore it otherwise.
    if (!token || !verifier) return undefined;
    return verifier.verify(token).catch(() => undefined);
  }
  if (!verifier)
    throw errors.unauthenticated('AUTH_NOT_CONFIGURED', {
      message: 'authentication not configured',
    });
  if (!token) throw errors.unauthenticated('TOKEN_MISSING', { message: 'bearer token required' });
  const principal = await verifier.verify(token);
  if (!hasAccess(principal, rule)) {
    throw errors.permissionDenied('ROLE_REQUIRED', {
      message: 'caller lacks the role this method needs',
      metadata: { required: typeof rule === 'string' ? rule : rule.join(',') },
    });
  }
  return principal;
}

/** Maps any thrown value to a status; unknown errors become a generic INTERNAL. */
export function toStatus(e: unknown, domain: string, logger: Logger): Partial<ServiceError> {
  if (e instanceof DomainError) {
    if (e.code === status.INTERNAL || e.code === status.UNKNOWN)
      logger.error({ err: e }, 'rpc failed');
    return domainErrorToStatus(e, domain);
  }
  if (e instanceof GrpcCallError && TRANSIENT_CODES.has(e.code)) {
    // A dependency is down or slow: keep the transient code so the caller may retry.
    logger.warn({ err: e, dependency: e.method }, 'dependency failed');
    return domainErrorToStatus(
      new DomainError(e.code, {
        reason: 'DEPENDENCY_UNAVAILABLE',
        message: 'a dependency is unavailable',
      }),
      domain,
    );
  }
  logger.error({ err: e }, 'rpc failed with an unexpected error');
  return domainErrorToStatus(
    new DomainError(status.INTERNAL, { reason: 'INTERNAL', message: 'internal error' }),
    domain,
  );
}
