/**
 * The only reader of process.env in meshcart: a spec maps each config key to an environment
 * variable and a parser. loadConfig validates everything at once, fails fast with one message
 * naming every bad or missing variable, and returns a deeply frozen, typed object.
 */
export type Parser<T> = (raw: string) => T;

export interface VarSpec<T> {
  env: string;
  parse: Parser<T>;
  /** Used when the variable is unset or empty. Omit to make the variable required. */
  default?: T;
  /** Never echo the value in errors. */
  secret?: boolean;
  /**
   * With a default: the variable is still required unless this other variable is set (a value
   * given inline or as a file, e.g. JWT_PUBLIC_KEYS or JWT_PUBLIC_KEYS_FILE).
   */
  orEnv?: string;
}

export type ConfigSpec = Record<string, VarSpec<unknown>>;
export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never;
};

/** Thrown when configuration is invalid; `problems` names each variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends ConfigSpec>(
  spec: S,
  env: Record<string, string | undefined> = process.env,
): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, v] of Object.entries(spec)) {
    const raw = env[v.env];
    if (raw === undefined || raw === '') {
      if (v.orEnv && !env[v.orEnv]) problems.push(`${v.env} or ${v.orEnv} is required but not set`);
      else if ('default' in v) out[key] = v.default;
      else problems.push(`${v.env} is required but not set`);
      continue;
    }
    try {
      out[key] = v.parse(raw);
    } catch (e) {
      const shown = v.secret
        ? ''
        : ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw)})`;
      problems.push(`${v.env} ${(e as Error).message}${shown}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(out) as ConfigOf<S>;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** Parsers: each throws an Error whose message completes "VAR <message>". */
export const parse = {
  string:
    (opts: { min?: number; max?: number; pattern?: RegExp } = {}): Parser<string> =>
    (raw) => {
      if (opts.min !== undefined && raw.length < opts.min)
        throw new Error(`must be at least ${opts.min} characters`);
      if (opts.max !== undefined && raw.length > opts.max)
        throw new Error(`must be at most ${opts.max} characters`);
      if (opts.pattern && !opts.pattern.test(raw)) throw new Error(`must match ${opts.pattern}`);
      return raw;
    },
  int:
    (opts: { min?: number; max?: number } = {}): Parser<number> =>
    (raw) => {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error('must be an integer');
      const n = Number(raw);
      if (opts.min !== undefined && n < opts.min) throw new Error(`must be >= ${opts.min}`);
      if (opts.max !== undefined && n > opts.max) throw new Error(`must be <= ${opts.max}`);
      return n;
    },
  port: (): Parser<number> => parse.int({ min: 0, max: 65535 }),
  bool: (): Parser<boolean> => (raw) => {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new Error('must be true or false');
  },
  oneOf:
    <T extends string>(values: readonly T[]): Parser<T> =>
    (raw) => {
      if (!(values as readonly string[]).includes(raw))
        throw new Error(`must be one of ${values.join(', ')}`);
      return raw as T;
    },
  /** host:port */
  address: (): Parser<string> => (raw) => {
    if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(raw)) throw new Error('must be host:port');
    return raw;
  },
  url:
    (protocols: string[]): Parser<string> =>
    (raw) => {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw new Error('must be a URL');
      }
      if (!protocols.includes(u.protocol.replace(/:$/, '')))
        throw new Error(`must be a ${protocols.join('/')} URL`);
      return raw;
    },
  /** Milliseconds from "250ms", "5s", "2m", "24h" or a bare number of ms. */
  duration: (): Parser<number> => (raw) => {
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(raw.trim());
    if (!m) throw new Error('must be a duration like 500ms, 30s, 5m, 24h');
    const unit = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[(m[2] ?? 'ms') as 'ms'];
    return Number(m[1]) * unit;
  },
  json:
    <T>(): Parser<T> =>
    (raw) => {
      try {
        return JSON.parse(raw) as T;
      } catch {
        throw new Error('must be valid JSON');
      }
    },
};

/** Shorthand for a VarSpec. */
export function v<T>(
  env: string,
  p: Parser<T>,
  opts: { default?: T; secret?: boolean; orEnv?: string } = {},
): VarSpec<T> {
  return { env, parse: p, ...opts };
}
