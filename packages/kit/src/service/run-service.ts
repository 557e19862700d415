/**
 * The service chassis: what every meshcart gRPC service does the same way, in one call (the
 * role eShop's AddServiceDefaults() plays). A service's main.ts keeps only what is its own:
 *
 *   runService({
 *     spec: catalogConfigSpec,
 *     dir: __dirname,
 *     async start({ config, base, onShutdown }) {
 *       const db = createCatalogDb(config.databaseUrl);
 *       onShutdown('database pool', () => db.$disconnect());
 *       await db.$queryRaw`SELECT 1`;
 *       return buildServer({ ...base, store: createCatalogStore(db), ... });
 *     },
 *   });
 *
 * The chassis: `main.ts migrate` applies the service's migrations and exits (Helm Jobs, the
 * local stack); otherwise it reads and validates the config (a bad variable exits 2 with one
 * clear line), builds the logger and the token verifier, calls `start` for the service's own
 * wiring, listens (health + reflection come with createGrpcServer), and on SIGTERM/SIGINT or a
 * lost lifeline stops in order - the gRPC server (drain, grace), then what `start` registered
 * with `onShutdown`, last first - all within SHUTDOWN_DEADLINE_MS. Both paths fold
 * DATABASE_TLS_* into config.databaseUrl (db/tls.ts), so every service's database connections
 * and its migration Job use TLS with verification when the deployment asks for it.
 */
import path from 'node:path';
import type { ServiceDefinition as GrpcServiceDefinition } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { JSONWebKeySet } from 'jose';
import { createTokenVerifier, type TokenSigner, type TokenVerifier } from '../auth/jwt';
import type { KeySource } from '../auth/key-source';
import {
  openPublicKeys,
  openSigner,
  type SigningKeyConfig,
  type SigningPurpose,
} from '../auth/workload-keys';
import { createClient, serviceToken, type TypedClient } from '../client/create-client';
import {
  ConfigError,
  loadConfig,
  parse,
  v,
  type ConfigOf,
  type ConfigSpec,
} from '../config/load-config';
import { migrate } from '../db/migrate';
import { checkConnection } from '../db/connection';
import { applyDatabaseTls, databaseTlsConfigSpec, usesTls } from '../db/tls';
import { applyDatabasePoolSettings } from '../db/pool-settings';
import { createLogger } from '../logging/logger';
import { declareCorrelations, type Correlation } from '../telemetry/correlation';
import type { GrpcServer } from '../server/grpc-server';
import { runMain } from '../server/run-main';
import type { MeshPeerIdentity } from '../server/call-graph-guard';
import { identityConfigSpec, type serviceConfigSpec } from '../server/service-config';
import { grpcServerStep, onShutdownSignal, type ShutdownStep } from '../server/shutdown-signal';

/** The keys every service spec has (spread from serviceConfigSpec). */
type BaseSpec = ReturnType<typeof serviceConfigSpec>;

export interface ServiceContext<C> {
  config: C;
  logger: Logger;
  /** Verifies bearer tokens against the JWKS (JWT_PUBLIC_KEYS, or its file, reloaded). */
  verifier: TokenVerifier;
  /** What every buildServer takes: `buildServer({ ...base, store, ... })`. */
  base: {
    logger: Logger;
    verifier: TokenVerifier;
    defaultDeadlineMs: number;
    reflection: boolean;
    meshPeerIdentity: MeshPeerIdentity;
  };
  /**
   * Registers something to release on shutdown (a pool, a client, a connection). They run after
   * the gRPC server has stopped, in reverse order of registration, under the one deadline.
   */
  onShutdown(name: string, run: () => Promise<void> | void): void;
  /**
   * This workload's token signer, from JWT_PRIVATE_KEY(_FILE) (kid: JWT_KEY_ID or the matching
   * JWKS entry's), for what it signs: by default its own `service:<workload>` token; users asks
   * for `{ roles: ['customer'] }`. Fails (ConfigError) when the key is not bound to that. Only
   * for services whose spec spreads signingKeySpec().
   */
  signer(purpose?: SigningPurpose): Promise<TokenSigner>;
  /**
   * A typed client to another service, calling as this workload (its own service token; the
   * call graph decides which methods it may call). Closed on shutdown.
   */
  client<D extends GrpcServiceDefinition>(definition: D, address: string): Promise<TypedClient<D>>;
}

export interface ServiceDefinition<S extends BaseSpec & ConfigSpec> {
  /** The service's config spec: serviceConfigSpec(name) spread with its own keys. */
  spec: S;
  /**
   * The service's src/ folder (`__dirname` of main.ts): by the one service layout its migrations
   * are in ../prisma/migrations (MIGRATIONS_DIR overrides it: images keep them elsewhere).
   */
  dir: string;
  /**
   * Business ids its calls carry that should tie spans and log lines together across services
   * (see telemetry/correlation.ts); declared for the process before anything starts.
   */
  correlations?: readonly Correlation[];
  /** The service's own wiring: dependencies in, an unstarted server out. */
  start(ctx: ServiceContext<ConfigOf<S>>): Promise<GrpcServer> | GrpcServer;
  /**
   * The service's own abuse and load limits (login throttling, order caps...), logged at start
   * with the chassis' own in one `limits in force` line, which load and chaos reports quote.
   */
  limits?(config: ConfigOf<S>): Record<string, unknown>;
}

/** What the chassis itself bounds, as logged at start (snake_case like the edge's line). */
export function chassisLimits(config: ConfigOf<BaseSpec>): Record<string, unknown> {
  return {
    grpc_max_in_flight: config.grpcMaxInFlight || 'off',
    grpc_queue_timeout_ms: config.grpcQueueTimeoutMs,
    db_statement_timeout_ms: config.dbStatementTimeoutMs || 'off',
    db_acquire_timeout_ms: config.dbAcquireTimeoutMs,
    default_deadline_ms: config.defaultDeadlineMs,
  };
}

/** `main.ts migrate` needs only the database (Helm migration Jobs have nothing else). */
function migrateSpec(service: string, migrationsDir: string) {
  return {
    ...identityConfigSpec(service),
    databaseUrl: v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true }),
    ...databaseTlsConfigSpec(),
    migrationsDir: v('MIGRATIONS_DIR', parse.string(), { default: migrationsDir }),
  };
}

/** Applies the service's migrations to DATABASE_URL (`main.ts migrate`). */
export async function runMigrations(service: string, migrationsDir: string): Promise<void> {
  const config = applyDatabaseTls(loadConfig(migrateSpec(service, migrationsDir)));
  const logger = createLogger({ service: config.service, level: config.logLevel });
  const result = await migrate({
    url: config.databaseUrl,
    migrationsDir: config.migrationsDir,
    log: (line) => logger.info(line),
  });
  logger.info({ applied: result.applied, skipped: result.skipped.length }, 'migrations up to date');
}

/** Starts the service (see the file comment); resolves once it listens. */
export async function startService<S extends BaseSpec & ConfigSpec>(
  def: ServiceDefinition<S>,
): Promise<{ server: GrpcServer; port: number; stop(): void }> {
  // DATABASE_TLS_* and DB_STATEMENT_TIMEOUT_MS / DB_ACQUIRE_TIMEOUT_MS folded into
  // config.databaseUrl: every service's pool connects with them, whatever its createDb passes.
  const config = applyDatabasePoolSettings(applyDatabaseTls(loadConfig(def.spec))) as ConfigOf<S> &
    ConfigOf<BaseSpec>;
  declareCorrelations(def.correlations);
  const logger = createLogger({ service: config.service, level: config.logLevel });
  const jwks = openPublicKeys(config, logger)!;
  const verifier = createTokenVerifier({
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    jwks: () => jwks.current(),
  });
  const releases: ShutdownStep[] = [];
  const onShutdown = (name: string, run: () => Promise<void> | void) =>
    releases.unshift({ name, run });
  const signers = new Map<string, TokenSigner>();
  const signer = async (purpose?: SigningPurpose) => {
    const p = purpose ?? { roles: ['service'], subject: `service:${config.service}` };
    const key = JSON.stringify(p);
    if (!signers.has(key)) signers.set(key, ownSigner(config, jwks, p, logger));
    return signers.get(key)!;
  };
  let token: (() => Promise<string>) | undefined;
  const client = async <D extends GrpcServiceDefinition>(definition: D, address: string) => {
    token ??= serviceToken(await signer(), config.service);
    const c = createClient(definition, address, { caller: config.service, token });
    onShutdown(`client of ${address}`, () => c.close());
    return c;
  };
  // With TLS on, a certificate problem fails the start as itself (the pool would say "timeout").
  const { databaseUrl } = config as { databaseUrl?: unknown };
  if (typeof databaseUrl === 'string' && usesTls(databaseUrl)) await checkConnection(databaseUrl);
  let server: GrpcServer;
  try {
    const base = {
      logger,
      verifier,
      defaultDeadlineMs: config.defaultDeadlineMs,
      reflection: config.grpcReflection,
      meshPeerIdentity: config.meshPeerIdentity,
    };
    server = await def.start({ config, logger, verifier, base, onShutdown, signer, client });
  } catch (e) {
    // A half-started service (a pool opened, then the database refused) still releases.
    for (const r of releases) await Promise.resolve(r.run()).catch(() => undefined);
    throw e;
  }
  server.callLimit.configure({
    maxInFlight: config.grpcMaxInFlight,
    queueTimeoutMs: config.grpcQueueTimeoutMs,
  });
  const port = await server.listen(config.grpcHost, config.grpcPort);
  logger.info({ limits: { ...chassisLimits(config), ...def.limits?.(config) } }, 'limits in force');
  const stop = onShutdownSignal(logger, [grpcServerStep(server, config), ...releases], {
    deadlineMs: config.shutdownDeadlineMs,
  });
  return { server, port, stop };
}

/** The signer of a workload whose spec has signingKeySpec() (JWT_PRIVATE_KEY or its file). */
function ownSigner(
  config: { service: string; jwtIssuer: string; jwtAudience: string; jwtKeysPollMs: number },
  jwks: KeySource<JSONWebKeySet>,
  purpose: SigningPurpose,
  logger: Logger,
): TokenSigner {
  const own = config as Partial<SigningKeyConfig>;
  if (own.jwtPrivateKey === undefined || own.jwtPrivateKeyFile === undefined)
    throw new ConfigError([
      `${config.service} signs tokens but its config has no JWT_PRIVATE_KEY (spread signingKeySpec())`,
    ]);
  return openSigner({
    settings: { issuer: config.jwtIssuer, audience: config.jwtAudience },
    config: { ...(own as SigningKeyConfig), jwtKeysPollMs: config.jwtKeysPollMs },
    jwks,
    purpose,
    log: logger,
  });
}

/** The whole process: `migrate` subcommand or serve (config errors exit 2, others 1). */
export function runService<S extends BaseSpec & ConfigSpec>(def: ServiceDefinition<S>): void {
  runMain(async () => {
    if (process.argv[2] === 'migrate') {
      const migrations = path.resolve(def.dir, '../prisma/migrations');
      await runMigrations(def.spec.service.default as string, migrations);
      return;
    }
    await startService(def);
  });
}
