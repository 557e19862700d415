/**
 * The limits the platform's own load and test tools run with, and how their reports tell which
 * limits were in force.
 *
 * The e2e suites, the benchmark and the chaos runs drive the platform from ONE loopback address
 * (127.0.0.1) with a handful of users, at rates no real customer reaches: under the production
 * limits (the defaults) they would measure the limiter, not the platform. So they start the stack
 * with this profile: every edge rate class raised far above what they send (the limiter still
 * runs on every request, so its cost stays in the benchmark's figures; it never refuses) and the
 * per-user business caps raised for their few synthetic customers. The profile is only ever
 * passed by those tools to `startStack`; `npm start` and the Helm chart never read it, and
 * nothing in production values can select it.
 *
 * The abuse load test (`npm run load:abuse`) does NOT use it: it runs at the defaults, from many
 * addresses, because the limits are what it measures.
 */
export const LOAD_TOOL_LIMITS: Readonly<Record<string, string>> = {
  EDGE_RATE_LIMIT_AUTH: '100000/s,burst=100000',
  EDGE_RATE_LIMIT_ORDER: '100000/s,burst=100000',
  EDGE_RATE_LIMIT_READ: '100000/s,burst=100000',
  // orders: their few synthetic customers keep many orders PENDING at once (production: 5).
  MAX_OPEN_ORDERS_PER_USER: '1000',
};

/** The load profile under `env` (the caller's settings win). */
export function withLoadProfile(env: Record<string, string> = {}): Record<string, string> {
  return { ...LOAD_TOOL_LIMITS, ...env };
}

/** Edge startup-line fields that are not limits. */
const NOT_LIMITS = new Set([
  'time',
  'level',
  'msg',
  'service',
  'addr',
  'backends',
  'routes',
  'openapi',
  'cors_allowed_origins',
]);

/**
 * The limits each process logged at start, read from a stack's log (`name | {json}` lines, ANSI
 * colours allowed): the edge's "edge listening" line, and any service line with a `limits` object.
 */
export function limitsInForce(logText: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  for (const raw of logText.split('\n')) {
    const line = raw.replace(ansi, '');
    const bar = line.indexOf('|');
    const brace = line.indexOf('{');
    if (bar < 0 || brace < bar) continue;
    const name = line.slice(0, bar).trim();
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line.slice(brace)) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (rec.msg === 'edge listening') {
      out[name] = Object.fromEntries(Object.entries(rec).filter(([k]) => !NOT_LIMITS.has(k)));
    } else if (rec.limits && typeof rec.limits === 'object') {
      out[name] = { ...out[name], ...(rec.limits as Record<string, unknown>) };
    }
  }
  return out;
}

/** One line per process: `edge: rate_limit_auth=10/m,burst=5, ...`. */
export function limitsText(limits: Record<string, Record<string, unknown>>): string[] {
  return Object.entries(limits).map(
    ([proc, l]) =>
      `${proc}: ${Object.entries(l)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(', ')}`,
  );
}
