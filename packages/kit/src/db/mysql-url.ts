/**
 * MySQL/MariaDB connection URLs: parse, format, redact.
 *
 * We keep our own parser because the `mariadb` driver only accepts `mariadb://`
 * strings and echoes the whole string (password included) in its parse error,
 * while Prisma and every env var we read use `mysql://`. Connections are always
 * opened from the parsed parts (see connection.ts), never from the raw string.
 */

/** The parts of a `mysql://user:password@host:port/database?k=v` URL. */
export interface MysqlUrlParts {
  user: string;
  password: string;
  host: string;
  port: number;
  /** Empty for a server-level (admin) URL. */
  database: string;
  params: Record<string, string>;
}

const SCHEMES = new Set(['mysql:', 'mariadb:']);
const DEFAULT_PORT = 3306;

/** Parses a mysql:// (or mariadb://) URL; the error never contains the password. */
export function parseMysqlUrl(url: string): MysqlUrlParts {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(
      `invalid MySQL URL ${redactUrl(url)}: expected mysql://user:password@host:port/database`,
    );
  }
  if (!SCHEMES.has(u.protocol)) {
    throw new Error(`invalid MySQL URL ${redactUrl(url)}: scheme must be mysql:// or mariadb://`);
  }
  if (!u.hostname) throw new Error(`invalid MySQL URL ${redactUrl(url)}: host is missing`);
  const params: Record<string, string> = {};
  u.searchParams.forEach((value, key) => {
    params[key] = value;
  });
  return {
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    // IPv6 hosts come back bracketed from URL; drivers want them bare.
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : DEFAULT_PORT,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    params,
  };
}

/** Formats parts back into a mysql:// URL (user, password and database percent-encoded). */
export function formatMysqlUrl(parts: MysqlUrlParts): string {
  const auth = parts.user
    ? `${encodeURIComponent(parts.user)}${parts.password ? `:${encodeURIComponent(parts.password)}` : ''}@`
    : '';
  const host = parts.host.includes(':') ? `[${parts.host}]` : parts.host;
  const query = new URLSearchParams(parts.params).toString();
  return `mysql://${auth}${host}:${parts.port}/${encodeURIComponent(parts.database)}${query ? `?${query}` : ''}`;
}

/** Same server and credentials, another database (admin URL -> database URL). */
export function withDatabase(url: string, database: string): string {
  return formatMysqlUrl({ ...parseMysqlUrl(url), database });
}

/**
 * Replaces the password with `***` so a URL can go into logs and errors.
 * Works on strings that do not parse too (best effort regex), because the
 * point is to never leak a secret from an error path.
 */
export function redactUrl(url: string): string {
  // Up to the LAST '@': an unencoded '@' inside the password must not leak its tail.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):.*@(?=[^@]*$)/i, '$1:***@');
}
