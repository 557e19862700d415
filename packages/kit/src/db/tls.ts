/**
 * TLS to MySQL/MariaDB, one design end to end:
 *
 *   DATABASE_TLS_MODE / DATABASE_TLS_CA_FILE / DATABASE_TLS_SERVER_NAME   (what a deployer sets; the
 *        |                                                           chart mounts the CA file)
 *        v  withDatabaseTls (the chassis: runService and `main.ts migrate`, once for every service)
 *   DATABASE_URL?sslaccept=strict&sslcert=<CA path>&sslservername=<name>   (Prisma's own URL
 *        |                                                           parameters, plus our name)
 *        v  mariadbConnectionConfig (mariadbPoolConfig, openConnection: every pool and connection)
 *   mariadb driver `ssl`: the CA, rejectUnauthorized, the server name checked against the
 *   certificate (SNI too when it is a DNS name), TLS 1.2 at least.
 *
 * There is one secure mode, `verify-full`: the chain must lead to the CA (DATABASE_TLS_CA_FILE, or
 * Node's public roots without it) AND the certificate must name the server (the URL's host, or
 * DATABASE_TLS_SERVER_NAME when the URL points at an IP or an alias). An encrypted-but-unverified
 * mode is deliberately absent: it would protect against nobody who can intercept the traffic.
 * A URL that already carries the ssl parameters works the same (and stays usable by Prisma's own
 * CLI, which reads sslaccept/sslcert); setting them in both places is a configuration error.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { ConfigError, parse, v, type Parser } from '../config/load-config';
import { formatMysqlUrl, parseMysqlUrl, redactUrl, type MysqlUrlParts } from './mysql-url';
import { poolSettingsOf, statementTimeoutSql } from './pool-settings';

export const DATABASE_TLS_MODES = ['disabled', 'verify-full'] as const;
export type DatabaseTlsMode = (typeof DATABASE_TLS_MODES)[number];

/** The URL parameters TLS travels in (the first two are Prisma's, the third is ours). */
export const TLS_PARAMS = {
  accept: 'sslaccept',
  ca: 'sslcert',
  serverName: 'sslservername',
} as const;

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** The text of a PEM file this process can read, refused unless it holds `block` (what: its name). */
export function readPemFile(path: string, block: RegExp, what: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(
      `must be a readable file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  if (!block.test(pem)) throw new Error(`must be a PEM file with ${what}`);
  return pem;
}

/** A PEM file this process can read that holds at least one certificate. */
export function readPemCertificates(path: string): string {
  return readPemFile(path, /-----BEGIN CERTIFICATE-----/, 'at least one CERTIFICATE');
}

const caFile = (): Parser<string> => (raw) => {
  readPemCertificates(raw);
  return raw;
};

const serverName = (): Parser<string> => (raw) => {
  if (!HOSTNAME.test(raw) && isIP(raw) === 0) throw new Error('must be a host name or an IP');
  return raw;
};

/**
 * The database TLS keys (serviceConfigSpec and the migrate subcommand spread them). The loader
 * checks each value (a CA path must be a readable PEM certificate file); withDatabaseTls checks
 * how they combine.
 */
export function databaseTlsConfigSpec() {
  return {
    /** verify-full: TLS, chain AND server name verified. Default: verify-full when a CA is set. */
    databaseTlsMode: v('DATABASE_TLS_MODE', parse.oneOf(DATABASE_TLS_MODES), {
      default: undefined as DatabaseTlsMode | undefined,
    }),
    /** PEM file of the CA(s) that signed the server certificate (mounted from a Secret/ConfigMap). */
    databaseTlsCa: v('DATABASE_TLS_CA_FILE', caFile(), {
      default: undefined as string | undefined,
    }),
    /** The name the server certificate must carry, when the URL's host is not it. */
    databaseTlsServerName: v('DATABASE_TLS_SERVER_NAME', serverName(), {
      default: undefined as string | undefined,
    }),
  };
}

export interface DatabaseTlsSettings {
  databaseTlsMode?: DatabaseTlsMode;
  databaseTlsCa?: string;
  databaseTlsServerName?: string;
}

/** The mode the settings amount to (verify-full as soon as a CA or server name is given). */
export function databaseTlsMode(s: DatabaseTlsSettings): DatabaseTlsMode {
  return (
    s.databaseTlsMode ?? (s.databaseTlsCa || s.databaseTlsServerName ? 'verify-full' : 'disabled')
  );
}

/**
 * DATABASE_URL with the DATABASE_TLS_* settings folded in as URL parameters (unchanged when TLS
 * is disabled). Contradictions are configuration errors (the process exits 2).
 */
export function withDatabaseTls(url: string, s: DatabaseTlsSettings): string {
  const mode = databaseTlsMode(s);
  if (mode === 'disabled') {
    if (s.databaseTlsCa || s.databaseTlsServerName)
      throw new ConfigError([
        'DATABASE_TLS_MODE is disabled but DATABASE_TLS_CA_FILE/DATABASE_TLS_SERVER_NAME is set: drop them or use verify-full',
      ]);
    return url;
  }
  const parts = parseMysqlUrl(url);
  if (Object.values(TLS_PARAMS).some((p) => p in parts.params))
    throw new ConfigError([
      `DATABASE_URL already carries ssl parameters and DATABASE_TLS_MODE is ${mode}: set TLS in one place`,
    ]);
  const params: Record<string, string> = { ...parts.params, [TLS_PARAMS.accept]: 'strict' };
  if (s.databaseTlsCa) params[TLS_PARAMS.ca] = s.databaseTlsCa;
  if (s.databaseTlsServerName) params[TLS_PARAMS.serverName] = s.databaseTlsServerName;
  return formatMysqlUrl({ ...parts, params });
}

/**
 * A config whose `databaseUrl` carries its TLS settings (what the chassis hands to the service's
 * start and to migrate). Configs without a databaseUrl come back as they are.
 */
export function applyDatabaseTls<C extends object>(config: C): C {
  const c = config as C & DatabaseTlsSettings & { databaseUrl?: unknown };
  if (typeof c.databaseUrl !== 'string') {
    // A process without a database has nothing to secure; a TLS setting there is a mistake.
    if (c.databaseTlsCa || c.databaseTlsServerName || c.databaseTlsMode === 'verify-full')
      throw new ConfigError(['DATABASE_TLS_* is set but this process has no DATABASE_URL']);
    return config;
  }
  const databaseUrl = withDatabaseTls(c.databaseUrl, c);
  return databaseUrl === c.databaseUrl ? config : Object.freeze({ ...config, databaseUrl });
}

/** True when connections opened from `url` use TLS (it carries sslaccept). */
export function usesTls(url: string): boolean {
  return TLS_PARAMS.accept in parseMysqlUrl(url).params;
}

/** Driver `ssl` options (a fresh object: the driver writes into it). */
export type MariadbSsl = ConnectionOptions & { rejectUnauthorized: true };

/** The `ssl` option the URL's parameters ask for; undefined for a plain connection. */
export function mariadbSslOptions(parts: MysqlUrlParts): MariadbSsl | undefined {
  const accept = parts.params[TLS_PARAMS.accept];
  const ca = parts.params[TLS_PARAMS.ca];
  const name = parts.params[TLS_PARAMS.serverName];
  if (accept === undefined) {
    if (ca !== undefined || name !== undefined)
      throw new Error(
        `MySQL URL ${TLS_PARAMS.ca}/${TLS_PARAMS.serverName} need ${TLS_PARAMS.accept}=strict`,
      );
    return undefined;
  }
  if (accept !== 'strict')
    throw new Error(
      `MySQL URL ${TLS_PARAMS.accept}=${accept} is not supported: only strict (verified TLS)`,
    );
  let caPem: string | undefined;
  if (ca !== undefined) {
    try {
      caPem = readPemCertificates(ca);
    } catch (e) {
      throw new Error(`database TLS CA ${ca} ${(e as Error).message}`);
    }
  }
  const expected = name || parts.host;
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(caPem === undefined ? {} : { ca: caPem }),
    // SNI only for a DNS name (RFC 6066); the identity check below covers IPs as well.
    ...(isIP(expected) === 0 ? { servername: expected } : {}),
    // Checked against the configured name, whatever host the socket connected to.
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      checkServerIdentity(expected, cert),
  };
}

/**
 * Connection settings for a mysql:// URL, as every kit pool and connection opens it: parts
 * parsed here (driver errors never echo the password), TLS from the URL's ssl parameters.
 */
export function mariadbConnectionConfig(url: string) {
  const p = parseMysqlUrl(url);
  let ssl: MariadbSsl | undefined;
  try {
    ssl = mariadbSslOptions(p);
  } catch (e) {
    throw new Error(`${(e as Error).message} (${redactUrl(url)})`);
  }
  return {
    host: p.host,
    port: p.port,
    user: p.user,
    password: p.password,
    database: p.database,
    ...(ssl ? { ssl } : {}),
  };
}

/** How a service's pool talks to its database (see mariadbPoolConfig). */
export interface DbPoolOptions {
  /** Connections in this process's pool (each open transaction holds one). Default 10. */
  connectionLimit?: number;
  /**
   * How long a call waits for a pooled connection before failing UNAVAILABLE. Default: the URL's
   * acquire_timeout_ms (DB_ACQUIRE_TIMEOUT_MS through the chassis), else 3 s (pool-settings.ts).
   */
  acquireTimeoutMs?: number;
  /**
   * Server-side limit of one statement (0 = none). Default: the URL's statement_timeout_ms
   * (DB_STATEMENT_TIMEOUT_MS through the chassis), else 15 s (pool-settings.ts).
   */
  statementTimeoutMs?: number;
  /**
   * innodb_lock_wait_timeout: how long a statement queues behind a row lock before failing
   * ABORTED (then retried by the caller). The server's default (50 s) when omitted.
   */
  lockWaitTimeoutSeconds?: number;
  /** More statements every new connection runs first (after the statement timeout's). */
  initSql?: string[];
}

/**
 * mariadb pool settings for DATABASE_URL, as every service opens its database (through Prisma's
 * MariaDB adapter or the raw driver): the URL's parts and TLS (mariadbConnectionConfig), a
 * bounded wait for a connection (connecting itself gives up within 5 s), and the statement
 * timeout on every connection (pool-settings.ts).
 */
export function mariadbPoolConfig(url: string, opts: DbPoolOptions = {}) {
  const fromUrl = poolSettingsOf(url);
  const acquireTimeout = opts.acquireTimeoutMs ?? fromUrl.acquireTimeoutMs;
  const timeoutSql = statementTimeoutSql(opts.statementTimeoutMs ?? fromUrl.statementTimeoutMs);
  const initSql = [...(timeoutSql ? [timeoutSql] : []), ...(opts.initSql ?? [])];
  return {
    ...mariadbConnectionConfig(url),
    connectionLimit: opts.connectionLimit ?? 10,
    acquireTimeout,
    connectTimeout: Math.min(5_000, acquireTimeout),
    ...(initSql.length > 0 ? { initSql } : {}),
    ...(opts.lockWaitTimeoutSeconds === undefined
      ? {}
      : { sessionVariables: { innodb_lock_wait_timeout: opts.lockWaitTimeoutSeconds } }),
  };
}
