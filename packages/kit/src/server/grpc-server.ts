import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import { FileDescriptorProto, FileDescriptorSet } from 'protobufjs/ext/descriptor';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { ERROR_DOMAIN_ROOT, errorDomain } from '../errors/error-domain';
import { CallLimiter, type CallLimitOptions } from './call-limit';

export interface ServiceBinding {
  /** Fully qualified service name, e.g. shop.catalog.v1.CatalogService (health + reflection). */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

/** An unstarted gRPC server with health, reflection and graceful shutdown. */
export interface GrpcServer {
  readonly server: Server;
  readonly health: HealthImplementation;
  /**
   * The server's concurrency limit (call-limit.ts) over its services' methods, health and
   * reflection exempt. The chassis configures it from GRPC_MAX_IN_FLIGHT / GRPC_QUEUE_TIMEOUT_MS
   * before listening.
   */
  readonly callLimit: CallLimiter;
  /** Binds host:port (port 0 = any free port) and resolves the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Marks NOT_SERVING, waits drainMs, then lets in-flight calls finish within graceMs. */
  shutdown(opts?: { drainMs?: number; graceMs?: number }): Promise<void>;
}

/** The standard health service every meshcart server registers (grpc-health-check). */
export const HEALTH_SERVICE = 'grpc.health.v1.Health';
export const REFLECTION_SERVICE = 'grpc.reflection.v1.ServerReflection';

/** Path of the descriptor set written by `npm run generate` (for server reflection). */
export function descriptorSetPath(): string {
  return require.resolve('@meshcart/proto/descriptor.binpb');
}

/**
 * The buf descriptor set, one entry per file, bytes untouched. (Going through
 * @grpc/proto-loader would rewrite fully qualified type names into relative ones that
 * grpcurl cannot resolve.)
 */
function reflectionRoot(): ConstructorParameters<typeof ReflectionService>[0] {
  const set = FileDescriptorSet.decode(readFileSync(descriptorSetPath())) as unknown as {
    file: object[];
  };
  const fileDescriptorProtos = set.file.map((f) =>
    Buffer.from(FileDescriptorProto.encode(f).finish()),
  );
  return {
    descriptors: { format: 'Protocol Buffer 3 DescriptorProto', type: {}, fileDescriptorProtos },
  } as never;
}

/** ErrorInfo.domain of the server's own refusals: "<x>.meshcart" for a shop.<x>.v1 service. */
function domainOf(s: ServiceBinding): string {
  const owner = /^shop\.([a-z][a-z0-9]*)\.v\d+\./.exec(s.name)?.[1];
  return owner ? errorDomain(owner) : ERROR_DOMAIN_ROOT;
}

export function createGrpcServer(opts: {
  services: ServiceBinding[];
  logger: Logger;
  /** Serve grpc.reflection (on by default: grpcurl and friends rely on it). */
  reflection?: boolean;
  /**
   * Calls in flight. Omitted: no limit until configured - the chassis (runService) always applies
   * GRPC_MAX_IN_FLIGHT (default 64), while in-process tests that fire hundreds of parallel calls
   * at a buildServer() keep measuring the service, not the limit.
   */
  callLimit?: Partial<CallLimitOptions>;
}): GrpcServer {
  const server = new Server({
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
  });
  const statuses: Record<string, ServingStatus> = { '': 'SERVING' };
  const callLimit = new CallLimiter(opts.callLimit ?? { maxInFlight: 0 });
  for (const s of opts.services) {
    server.addService(s.definition, callLimit.wrap(s.definition, s.implementation, domainOf(s)));
    statuses[s.name] = 'SERVING';
  }
  const health = new HealthImplementation(statuses);
  health.addToServer(server);
  if (opts.reflection !== false) {
    // Health and reflection itself are listed too (as grpc-go servers do), so `grpcurl ...
    // grpc.health.v1.Health/Check` works through reflection alone; their descriptors are in the
    // set (third_party/grpc/{health,reflection}).
    new ReflectionService(reflectionRoot(), {
      services: [...opts.services.map((s) => s.name), HEALTH_SERVICE, REFLECTION_SERVICE],
    }).addToServer(server);
  }
  let stopping: Promise<void> | undefined;

  return {
    server,
    health,
    callLimit,
    listen: (host, port) =>
      new Promise((resolve, reject) =>
        server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
          if (err) return reject(err);
          opts.logger.info({ host, port: bound }, 'grpc server listening');
          resolve(bound);
        }),
      ),
    shutdown: ({ drainMs = 0, graceMs = 10_000 } = {}) => {
      stopping ??= (async () => {
        for (const name of Object.keys(statuses)) health.setStatus(name, 'NOT_SERVING');
        // Give load balancers / the mesh time to see NOT_SERVING before we refuse new calls.
        if (drainMs > 0) await new Promise((r) => setTimeout(r, drainMs));
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            opts.logger.warn(
              { grace_ms: graceMs },
              'grace period over: cancelling in-flight calls',
            );
            server.forceShutdown();
            resolve();
          }, graceMs);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
        opts.logger.info('grpc server stopped');
      })();
      return stopping;
    },
  };
}
