import { parse, v } from '../config/load-config';
import { publicKeysSpec } from '../auth/workload-keys';
import { databaseTlsConfigSpec } from '../db/tls';
import { databasePoolConfigSpec } from '../db/pool-settings';
import { DEFAULT_CALL_LIMIT } from './call-limit';
import { localPort } from '../topology/topology';
import { DEFAULT_SHUTDOWN_DEADLINE_MS } from './shutdown-signal';

/** SERVICE_NAME and LOG_LEVEL: what every process reads first (its logger needs both). */
export function identityConfigSpec(service: string) {
  return {
    service: v('SERVICE_NAME', parse.string(), { default: service }),
    logLevel: v(
      'LOG_LEVEL',
      parse.oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const),
      { default: 'info' as const },
    ),
  };
}

/**
 * Config keys every gRPC service shares. Services spread this into their own spec:
 *   const config = loadConfig({ ...serviceConfigSpec('catalog'), databaseUrl: ... })
 * The default GRPC_PORT is the service's port in the topology (helm/meshcart/files/topology.yaml).
 */
export function serviceConfigSpec(service: string, defaultPort: number = localPort(service)) {
  return {
    ...identityConfigSpec(service),
    grpcHost: v('GRPC_HOST', parse.string(), { default: '127.0.0.1' }),
    grpcPort: v('GRPC_PORT', parse.port(), { default: defaultPort }),
    /** Serve grpc.reflection (grpcurl and friends); the production chart values turn it off. */
    grpcReflection: v('GRPC_REFLECTION', parse.bool(), { default: true }),
    /**
     * Where the server learns the calling workload besides its service token: `xfcc` trusts the
     * x-forwarded-client-cert header the Istio sidecar writes (set only when every pod has one:
     * the chart sets it with istio.enabled); `none` uses the token alone.
     */
    meshPeerIdentity: v('MESH_PEER_IDENTITY', parse.oneOf(['none', 'xfcc'] as const), {
      default: 'none' as const,
    }),
    shutdownGraceMs: v('SHUTDOWN_GRACE_MS', parse.duration(), { default: 10_000 }),
    shutdownDrainMs: v('SHUTDOWN_DRAIN_MS', parse.duration(), { default: 0 }),
    /**
     * Overall bound from SIGTERM to exit: drain + grace + closing the database must fit inside
     * (onShutdownSignal warns at start when they cannot). The chart derives the pod's
     * terminationGracePeriodSeconds from it, so the kubelet never has to SIGKILL us.
     */
    shutdownDeadlineMs: v('SHUTDOWN_DEADLINE_MS', parse.duration(), {
      default: DEFAULT_SHUTDOWN_DEADLINE_MS,
    }),
    defaultDeadlineMs: v('DEFAULT_DEADLINE_MS', parse.duration(), { default: 10_000 }),
    /**
     * Calls of the service's methods in flight at once (health and reflection exempt); past it a
     * call waits GRPC_QUEUE_TIMEOUT_MS, then gets RESOURCE_EXHAUSTED OVERLOADED + RetryInfo (the
     * edge answers 503). 0 = no limit. See server/call-limit.ts.
     */
    grpcMaxInFlight: v('GRPC_MAX_IN_FLIGHT', parse.int({ min: 0, max: 100_000 }), {
      default: DEFAULT_CALL_LIMIT.maxInFlight,
    }),
    grpcQueueTimeoutMs: v('GRPC_QUEUE_TIMEOUT_MS', parse.duration(), {
      default: DEFAULT_CALL_LIMIT.queueTimeoutMs,
    }),
    /** Statement timeout and pool acquire wait of the service's database pools (db/pool-settings.ts). */
    ...databasePoolConfigSpec(),
    /** TLS to DATABASE_URL (DATABASE_TLS_MODE/_CA/_SERVER_NAME); the chassis applies it, see db/tls.ts. */
    ...databaseTlsConfigSpec(),
    jwtIssuer: v('JWT_ISSUER', parse.string(), { default: 'meshcart' }),
    jwtAudience: v('JWT_AUDIENCE', parse.string(), { default: 'meshcart' }),
    /** The trusted keys: JWT_PUBLIC_KEYS_FILE (reloaded) or JWT_PUBLIC_KEYS (auth/workload-keys.ts). */
    ...publicKeysSpec(),
  };
}
