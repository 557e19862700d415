/**
 * How long a service waits on its database, one design for every pool:
 *
 *   DB_STATEMENT_TIMEOUT_MS / DB_ACQUIRE_TIMEOUT_MS        (what a deployer sets)
 *        |  applyDatabasePoolSettings (the chassis, with the TLS settings: every service)
 *        v
 *   DATABASE_URL?statement_timeout_ms=..&acquire_timeout_ms=..
 *        |  mariadbPoolConfig (Prisma's adapter pool and the raw driver pools alike)
 *        v
 *   mariadb pool: acquireTimeout (+ connectTimeout <= 5 s), and on every new connection
 *   SESSION max_statement_time (MariaDB; the server aborts the statement, errno 1969)
 *
 * Why through the URL: the chassis already folds DATABASE_TLS_* into it, so no service's createDb
 * or main.ts has to pass the knobs along, and a URL that already carries a parameter keeps it.
 * Why a server-side statement timeout: it also frees the row locks and the server thread of a
 * statement the caller gave up on; the driver's own queryTimeout refuses to connect to MySQL, so
 * the variable is set in a MariaDB-only executable comment (MySQL runs the harmless rest).
 * Migrations and tooling (openConnection) get no statement timeout: a long ALTER is legitimate.
 *
 * What a caller sees: no pooled connection within the acquire timeout -> UNAVAILABLE
 * DB_UNAVAILABLE; a statement past the statement timeout -> DEADLINE_EXCEEDED DB_UNAVAILABLE
 * (db-errors.ts says why not UNAVAILABLE).
 */
import { ConfigError, parse, v } from '../config/load-config';
import { formatMysqlUrl, parseMysqlUrl } from './mysql-url';

/** The URL parameters the settings travel in (ours; Prisma's CLI ignores them). */
export const POOL_PARAMS = {
  statementTimeoutMs: 'statement_timeout_ms',
  acquireTimeoutMs: 'acquire_timeout_ms',
} as const;

export interface DbPoolSettings {
  /** Longest a statement may run on the server; 0 = no limit. */
  statementTimeoutMs: number;
  /** Longest a call waits for a pooled connection (a new one included). */
  acquireTimeoutMs: number;
}

/**
 * 15 s statements: above every lock wait our services configure (inventory and shipping 5 s,
 * payments the provider timeout + 5 s = 10 s), so a lock wait still fails as itself (ABORTED,
 * retried) and only a genuinely stuck statement hits it. 3 s acquire: a pool with no free
 * connection for 3 s is saturated or its server is gone; failing UNAVAILABLE then lets the caller
 * retry elsewhere well inside the 10 s call deadline.
 */
export const DEFAULT_DB_POOL_SETTINGS: DbPoolSettings = {
  statementTimeoutMs: 15_000,
  acquireTimeoutMs: 3_000,
};

/** Upper bound of either setting (a day): past it the value is a typo. */
const MAX_MS = 86_400_000;

/** The keys serviceConfigSpec spreads. */
export function databasePoolConfigSpec() {
  return {
    /** Server-side limit of one statement (MariaDB max_statement_time); 0 = none. */
    dbStatementTimeoutMs: v('DB_STATEMENT_TIMEOUT_MS', parse.duration(), {
      default: DEFAULT_DB_POOL_SETTINGS.statementTimeoutMs,
    }),
    /** How long a call waits for a pooled database connection before UNAVAILABLE. */
    dbAcquireTimeoutMs: v('DB_ACQUIRE_TIMEOUT_MS', parse.duration(), {
      default: DEFAULT_DB_POOL_SETTINGS.acquireTimeoutMs,
    }),
  };
}

function checked(name: string, ms: number, min: number): number {
  if (!Number.isInteger(ms) || ms < min || ms > MAX_MS)
    throw new Error(`${name} must be a whole number of ms between ${min} and ${MAX_MS}`);
  return ms;
}

/** DATABASE_URL with the settings as parameters; parameters the URL already has are kept. */
export function withDatabasePoolSettings(url: string, s: DbPoolSettings): string {
  const parts = parseMysqlUrl(url);
  const params = { ...parts.params };
  params[POOL_PARAMS.statementTimeoutMs] ??= String(s.statementTimeoutMs);
  params[POOL_PARAMS.acquireTimeoutMs] ??= String(s.acquireTimeoutMs);
  return formatMysqlUrl({ ...parts, params });
}

/**
 * A config whose databaseUrl carries DB_STATEMENT_TIMEOUT_MS / DB_ACQUIRE_TIMEOUT_MS (what the
 * chassis hands to the service's start). Configs without a databaseUrl come back as they are.
 */
export function applyDatabasePoolSettings<C extends object>(config: C): C {
  const c = config as C & {
    databaseUrl?: unknown;
    dbStatementTimeoutMs?: number;
    dbAcquireTimeoutMs?: number;
  };
  if (typeof c.databaseUrl !== 'string') return config;
  const problems: string[] = [];
  const get = (name: string, value: number | undefined, fallback: number, min: number) => {
    try {
      return checked(name, value ?? fallback, min);
    } catch (e) {
      problems.push((e as Error).message);
      return fallback;
    }
  };
  const settings = {
    statementTimeoutMs: get(
      'DB_STATEMENT_TIMEOUT_MS',
      c.dbStatementTimeoutMs,
      DEFAULT_DB_POOL_SETTINGS.statementTimeoutMs,
      0,
    ),
    acquireTimeoutMs: get(
      'DB_ACQUIRE_TIMEOUT_MS',
      c.dbAcquireTimeoutMs,
      DEFAULT_DB_POOL_SETTINGS.acquireTimeoutMs,
      1,
    ),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    ...config,
    databaseUrl: withDatabasePoolSettings(c.databaseUrl, settings),
  });
}

/** The settings a URL carries, the defaults for those it does not; a bad value throws. */
export function poolSettingsOf(url: string): DbPoolSettings {
  const params = parseMysqlUrl(url).params;
  const read = (key: string, fallback: number, min: number) => {
    const raw = params[key];
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new Error(`MySQL URL ${key}=${raw} must be a whole number of ms`);
    return checked(`MySQL URL ${key}`, Number(raw), min);
  };
  return {
    statementTimeoutMs: read(
      POOL_PARAMS.statementTimeoutMs,
      DEFAULT_DB_POOL_SETTINGS.statementTimeoutMs,
      0,
    ),
    acquireTimeoutMs: read(
      POOL_PARAMS.acquireTimeoutMs,
      DEFAULT_DB_POOL_SETTINGS.acquireTimeoutMs,
      1,
    ),
  };
}

/**
 * The statement a new connection runs to get the statement timeout: MariaDB (10.1.2+) executes
 * the /*M! part and sets max_statement_time (seconds, fractions allowed); MySQL sees only the
 * user variable assignment (its max_execution_time would cover SELECTs only). Undefined for 0.
 */
export function statementTimeoutSql(ms: number): string | undefined {
  if (ms === 0) return undefined;
  const seconds = (checked('statement timeout', ms, 0) / 1000).toFixed(3);
  return `SET @meshcart_statement_timeout_ms = ${ms} /*M!100102 , SESSION max_statement_time = ${seconds} */`;
}
