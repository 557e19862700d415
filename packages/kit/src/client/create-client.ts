import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type ChannelOptions,
  type Client,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { ON_CALL_END, type CallContext, type Cancellable } from '../call/call-context';
import { loadCallGraph, type CallGraph } from '../call/call-graph';
import { GrpcCallError } from '../call/grpc-call-error';
import { rpcRecorder } from '../telemetry/rpc-metrics';
import { errors } from '../errors/domain-error';
import { ErrorReason } from '../errors/error-reason';
import { domainErrorToStatus } from '../errors/status-details';

/** The callback form grpc-js generic clients expose for unary methods. */
export type RawUnary = (
  req: unknown,
  md: Metadata,
  opts: { deadline?: number },
  cb: (err: ServiceError | null, res: unknown) => void,
) => { cancel(): void };

type ReqOf<M> = M extends { requestSerialize: (v: infer R) => Buffer } ? R : never;
type ResOf<M> = M extends { responseDeserialize: (b: Buffer) => infer R } ? R : never;

export interface CallOptions {
  /** Parent call: its trace/request ids are propagated and its deadline caps ours. */
  ctx?: CallContext;
  /** Overrides the client's default deadline for this call. */
  timeoutMs?: number;
  /** Extra metadata, e.g. { authorization: 'Bearer …' } to act for the end user. */
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

/** Promise-returning typed client over a generated service definition. */
export type TypedClient<D extends ServiceDefinition> = {
  [K in keyof D]: (request: ReqOf<D[K]>, options?: CallOptions) => Promise<ResOf<D[K]>>;
} & { close(): void; readonly grpc: Client };

export interface ClientOptions {
  /**
   * The calling workload as named in the call graph (e.g. "orders"), or null for callers
   * outside the mesh (tests, third-party tools), which are not checked.
   */
  caller: string | null;
  /** Default deadline of every call (ms). */
  defaultTimeoutMs?: number;
  /** Supplies the bearer token sent on every call (service identity), unless overridden. */
  token?: () => Promise<string | undefined>;
  callGraph?: CallGraph;
  channelOptions?: ChannelOptions;
}

const DEFAULT_CHANNEL: ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.enable_retries': 0, // retries belong to Temporal and the mesh, never three layers deep
};

/**
 * Creates a typed client with a default deadline on every call and metadata propagation. With
 * telemetry started, grpc-js instrumentation adds a client span and the current traceparent;
 * count and duration per method and code are recorded as rpc.client.* metrics.
 */
export function createClient<D extends ServiceDefinition>(
  definition: D,
  address: string,
  opts: ClientOptions,
): TypedClient<D> {
  const Ctor = makeGenericClientConstructor(definition, 'meshcart');
  const grpcClient = new Ctor(address, credentials.createInsecure(), {
    ...DEFAULT_CHANNEL,
    ...opts.channelOptions,
  });
  const graph = opts.caller === null ? undefined : (opts.callGraph ?? loadCallGraph());
  const defaultTimeout = opts.defaultTimeoutMs ?? 5_000;
  const out: Record<string, unknown> = {
    close: () => grpcClient.close(),
    grpc: grpcClient,
  };
  for (const key of Object.keys(definition)) {
    const path = definition[key]!.path;
    const allowed = opts.caller === null || graph!.allows(opts.caller, path);
    const record = rpcRecorder('client', path);
    out[key] = async (request: unknown, call: CallOptions = {}) => {
      if (!allowed) throw notInCallGraph(opts.caller!, path);
      const md = new Metadata();
      const propagate = call.ctx?.propagate;
      for (const k in propagate) md.set(k, propagate[k]!);
      const token = await opts.token?.();
      if (token) md.set('authorization', `Bearer ${token}`);
      for (const [k, v] of Object.entries(call.metadata ?? {})) md.set(k, v);
      let deadline = Date.now() + (call.timeoutMs ?? defaultTimeout);
      if (call.ctx) deadline = Math.min(deadline, call.ctx.deadline.getTime());
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const method = (grpcClient as unknown as Record<string, RawUnary>)[key]!;
        const c = method.call(
          grpcClient,
          request,
          md,
          { deadline },
          (err: ServiceError | null, res: unknown) => {
            record(err?.code ?? status.OK, performance.now() - started);
            if (err) reject(new GrpcCallError(path, err));
            else resolve(res);
          },
        );
        if (call.signal) call.signal.addEventListener('abort', () => c.cancel(), { once: true });
        else if (call.ctx) cancelWithParent(call.ctx, c);
      });
    };
  }
  return out as TypedClient<D>;
}

/**
 * The refusal of a method outside the caller's part of the graph: the same PERMISSION_DENIED
 * METHOD_NOT_IN_CALL_GRAPH the server would answer (call-graph-guard.ts), without a round trip.
 */
function notInCallGraph(caller: string, path: string): GrpcCallError {
  const method = path.replace(/^\//, '');
  const refusal = errors.permissionDenied(ErrorReason.ERROR_REASON_METHOD_NOT_IN_CALL_GRAPH, {
    message: `${caller} may not call ${method}: not in the call graph`,
    metadata: { caller, method, identity: 'client' },
  });
  return new GrpcCallError(path, domainErrorToStatus(refusal, 'kit.meshcart') as ServiceError);
}

/**
 * Cancels `c` when the parent call ends: through the kit's call directly (no AbortSignal is
 * created for it), or through `ctx.signal` for any other CallContext (tests' fakes).
 */
function cancelWithParent(ctx: CallContext, c: Cancellable): void {
  const watch = (ctx as { [ON_CALL_END]?: (c: Cancellable) => void })[ON_CALL_END];
  if (watch) watch.call(ctx, c);
  else ctx.signal.addEventListener('abort', () => c.cancel(), { once: true });
}

/**
 * Token provider for a workload identity: mints, caches and refreshes before expiry. Service
 * tokens live 5 minutes (verifiers refuse longer than MAX_SERVICE_TOKEN_TTL_SECONDS) and are
 * re-minted at 80% of that, or at once when the signer has moved to a new key (a rotation).
 */
export function serviceToken(
  signer: {
    readonly keyId?: string;
    sign(c: {
      subject: string;
      roles: ['service'];
      ttlSeconds: number;
    }): Promise<{ token: string; expiresAt: Date }>;
  },
  workload: string,
  ttlSeconds = 300,
): () => Promise<string> {
  let current: { token: string; refreshAt: number; keyId: string | undefined } | undefined;
  let pending: Promise<string> | undefined;
  return async () => {
    if (current && Date.now() < current.refreshAt && current.keyId === signer.keyId)
      return current.token;
    pending ??= signer
      .sign({ subject: `service:${workload}`, roles: ['service'], ttlSeconds })
      .then(({ token }) => {
        current = { token, refreshAt: Date.now() + ttlSeconds * 800, keyId: signer.keyId };
        return token;
      })
      .finally(() => (pending = undefined));
    return pending;
  };
}
