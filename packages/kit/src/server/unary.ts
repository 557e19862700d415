import type {
  handleUnaryCall,
  ServiceDefinition,
  status,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { AccessRule } from '../auth/principal';
import type { TokenVerifier } from '../auth/jwt';
import { rpcRecorder } from '../telemetry/rpc-metrics';
import type { CallContext } from '../call/call-context';
import { UnaryCall, type MethodRuntime } from './unary-call';
import { loadCallGraph, type CallGraph } from '../call/call-graph';
import { callGraphGuard, type MeshPeerIdentity } from './call-graph-guard';

export { toStatus } from './error-status';

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
  /** Which workload may call which method (default: the project's call-graph.yaml). */
  callGraph?: CallGraph;
  /** Also check the mTLS peer's workload (x-forwarded-client-cert); default `none`. */
  meshPeerIdentity?: MeshPeerIdentity;
}

/** What a service's handlers take from its buildServer: runService's `base` (+ a test's observer). */
export interface HandlerBase {
  logger: Logger;
  verifier: TokenVerifier;
  defaultDeadlineMs?: number;
  observer?: CallObserver;
  /** Serve grpc.reflection (default on; GRPC_REFLECTION=false, and in-process tests, turn it off). */
  reflection?: boolean;
  callGraph?: CallGraph;
  meshPeerIdentity?: MeshPeerIdentity;
}

/**
 * The options every method of a service shares: its error domain and the server's base. Each
 * `implement` call adds its own `access` rules: `implement(D, handlers, { ...serviceOptions(deps,
 * DOMAIN), access: { ... } })`.
 */
export function serviceOptions(
  base: HandlerBase,
  domain: string,
): Omit<ImplementOptions<ServiceDefinition>, 'access'> {
  const { logger, verifier, defaultDeadlineMs, observer, callGraph, meshPeerIdentity } = base;
  return { logger, domain, verifier, defaultDeadlineMs, observer, callGraph, meshPeerIdentity };
}

/**
 * Wraps typed async handlers into a grpc-js service implementation. The single place that
 * guarantees: exactly one answer per call, a deadline on every call, authentication per
 * method, the call graph (server-side: a workload outside it is refused), and DomainError -> status with details (anything unknown -> INTERNAL, cause logged
 * but never sent). Options are read once here; each call is a UnaryCall (unary-call.ts).
 */
export function implement<D extends ServiceDefinition>(
  definition: D,
  handlers: UnaryHandlers<D>,
  opts: ImplementOptions<D>,
): UntypedServiceImplementation {
  const impl: UntypedServiceImplementation = {};
  const graph = opts.callGraph ?? loadCallGraph();
  for (const name of Object.keys(definition) as (keyof D & string)[]) {
    const path = definition[name]!.path;
    const m: MethodRuntime = {
      path,
      rule: opts.access[name] ?? 'authenticated',
      handler: handlers[name] as MethodRuntime['handler'],
      logger: opts.logger,
      domain: opts.domain,
      verifier: opts.verifier,
      guard: callGraphGuard(graph, path, opts.meshPeerIdentity ?? 'none'),
      defaultDeadlineMs: opts.defaultDeadlineMs ?? 10_000,
      record: rpcRecorder('server', path),
      observer: opts.observer,
    };
    const unary: handleUnaryCall<unknown, unknown> = (call, callback) =>
      void new UnaryCall(m, call, callback).run();
    impl[name] = unary;
  }
  return impl;
}
