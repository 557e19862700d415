/**
 * The abuse load test's report: the limits in force (as the processes logged them at start),
 * the figures of each scenario, and a verdict per "Done when" point of issue #12.
 */
import { round } from '../lib/stats';
export { limitsInForce } from '../../scripts/local-stack/load-profile';
import type {
  CatalogDownResult,
  LoginResult,
  OrderFloodResult,
  Tally,
  UploadFloodResult,
} from './scenarios';

export interface Verdict {
  id: string;
  what: string;
  status: 'PASS' | 'FAIL' | 'SKIP';
  detail: string;
}

export interface AbuseReport {
  mode: 'short' | 'full';
  startedAt: string;
  finishedAt?: string;
  machine: { nproc: number; cpuModel: string };
  stackEnv: Record<string, string>;
  /** Per process: the limit settings it logged at start (edge: its "edge listening" line). */
  limits: Record<string, Record<string, unknown>>;
  login?: LoginResult;
  orders?: OrderFloodResult;
  uploads?: UploadFloodResult;
  catalog?: CatalogDownResult;
  verdicts?: Verdict[];
}

/** "10/m,burst=5" -> tokens per second and burst; undefined when not in that form. */
export function parseRate(spec: unknown): { perS: number; burst: number } | undefined {
  if (typeof spec !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)\/(s|m|h)(?:,\s*burst=(\d+))?$/.exec(spec.trim());
  if (!m) return undefined;
  const per = { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
  return { perS: Number(m[1]) / per, burst: Number(m[3] ?? 1) };
}

const sum = (t: Tally) => Object.values(t).reduce((a, b) => a + b, 0);
const has429 = (t: Tally) => Object.keys(t).some((k) => k.startsWith('429'));

export function verdicts(r: AbuseReport): Verdict[] {
  const v: Verdict[] = [];
  const edge = Object.values(r.limits).find((l) => Object.keys(l).some((k) => /rate/i.test(k)));
  if (r.login) {
    const a = r.login.attack;
    const authRate = parseRate(
      edge && Object.entries(edge).find(([k]) => /rate.*auth/i.test(k))?.[1],
    );
    const allowed = authRate
      ? Math.floor(authRate.burst + authRate.perS * a.seconds) + 1
      : undefined;
    v.push({
      id: 'login-throttled',
      what: 'a login brute force from one address is throttled to the configured rate',
      status:
        allowed !== undefined
          ? a.passedEdge <= allowed
            ? 'PASS'
            : 'FAIL'
          : a.passedEdge <= a.attempts * 0.05
            ? 'PASS'
            : 'FAIL',
      detail:
        `${a.attempts} attempts in ${round(a.seconds, 1)} s (${round(a.rps, 1)}/s); ${a.passedEdge} got past the edge` +
        (allowed !== undefined
          ? ` (allowed: burst + rate x time = ${allowed})`
          : ' (rate unknown: <= 5% allowed)') +
        `; ${a.passwordChecks} reached a password check`,
    });
    v.push({
      id: 'login-others-succeed',
      what: "other customers' logins succeed during the brute force",
      status: r.login.underAttack.failed === 0 && r.login.underAttack.n > 0 ? 'PASS' : 'FAIL',
      detail: `${r.login.underAttack.n} ok, ${r.login.underAttack.failed} failed (baseline: ${r.login.baseline.n} ok, ${r.login.baseline.failed} failed)`,
    });
    v.push({
      id: 'login-p99',
      what: "other customers' login p99 under attack <= 1.5x the baseline of the same run",
      status: r.login.p99Ratio <= 1.5 ? 'PASS' : 'FAIL',
      detail: `p99 ${round(r.login.underAttack.p99, 1)} ms vs baseline ${round(r.login.baseline.p99, 1)} ms = ${round(r.login.p99Ratio, 2)}x`,
    });
  }
  if (r.orders) {
    const f = r.orders.flooder;
    const o = r.orders.others;
    v.push({
      id: 'orders-flood-429',
      what: 'an order flood from one customer gets 429s',
      status: has429(f.answers) ? 'PASS' : 'FAIL',
      detail: `${f.attempts} attempts in ${f.seconds} s: ${JSON.stringify(f.answers)}`,
    });
    v.push({
      id: 'orders-others-confirm',
      what: "other customers' orders are accepted and confirmed during the flood",
      status: o.placed > 0 && sum(o.refused) === 0 && o.confirmed === o.placed ? 'PASS' : 'FAIL',
      detail: `${o.placed} placed, ${o.confirmed} confirmed, refused ${JSON.stringify(o.refused)}, not confirmed ${JSON.stringify(o.notConfirmed)}`,
    });
  }
  if (r.uploads) {
    const u = r.uploads;
    v.push({
      id: 'uploads-rss',
      what: `${u.uploads} slow ${u.bytesEach >> 10} KiB uploads keep edge RSS under 200 MiB`,
      status: u.edgeRssMb.max < 200 ? 'PASS' : 'FAIL',
      detail: `edge RSS ${round(u.edgeRssMb.before, 1)} MiB before, max ${round(u.edgeRssMb.max, 1)} MiB, ${round(u.edgeRssMb.after, 1)} MiB after; uploads answered ${JSON.stringify(u.answers)}`,
    });
    v.push({
      id: 'uploads-others-served',
      what: 'reads are still served during the upload flood',
      status: u.probes.n > 0 && u.probes.ok === u.probes.n ? 'PASS' : 'FAIL',
      detail: `${u.probes.ok}/${u.probes.n} reads ok, p50 ${round(u.probes.p50, 1)} ms, p99 ${round(u.probes.p99, 1)} ms`,
    });
  }
  if (r.catalog) {
    v.push({
      id: 'catalog-down',
      what: 'catalog stopped: login, order status, stock served; products 503 with a reason',
      status: r.catalog.checks.every((c) => c.ok) ? 'PASS' : 'FAIL',
      detail: r.catalog.checks
        .map(
          (c) => `${c.what}: ${c.status}${c.reason ? ` ${c.reason}` : ''}${c.ok ? '' : ' (WRONG)'}`,
        )
        .join('; '),
    });
  }
  return v;
}

const ms = (x: number) => `${round(x, 1)} ms`;
const tallyText = (t: Tally) =>
  Object.entries(t)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} x ${k}`)
    .join(', ') || 'none';

export function renderReport(r: AbuseReport): string {
  const L: string[] = [];
  L.push(`# Abuse resistance load test (${r.mode} form)`, '');
  L.push(
    `${r.startedAt} -> ${r.finishedAt ?? '?'}, ${r.machine.nproc} cores (${r.machine.cpuModel}), every client on its own loopback address.`,
    '',
  );
  L.push('## Limits in force', '');
  L.push(
    Object.keys(r.stackEnv).length
      ? `Overrides for this run: ${Object.entries(r.stackEnv)
          .map(([k, v]) => `\`${k}=${v}\``)
          .join(', ')}; everything else at its default (the production value).`
      : 'No overrides: every limit at its default (the production value).',
    '',
  );
  for (const [proc, limits] of Object.entries(r.limits))
    L.push(
      `- **${proc}**: ${Object.entries(limits)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(', ')}`,
    );
  L.push('', '## Verdicts', '', '| check | status | figures |', '|---|---|---|');
  for (const v of r.verdicts ?? []) L.push(`| ${v.what} | **${v.status}** | ${v.detail} |`);
  if (r.login) {
    const l = r.login;
    L.push('', '## Login brute force', '');
    L.push(
      `${l.legitClients} customers log in with the right password, each from its own address; then one address tries wrong passwords on one account at ${round(l.attack.rps, 1)}/s for ${round(l.attack.seconds, 1)} s.`,
      '',
      "| customers' logins | n | failed | p50 | p99 | max |",
      '|---|---|---|---|---|---|',
      `| baseline | ${l.baseline.n} | ${l.baseline.failed} | ${ms(l.baseline.p50)} | ${ms(l.baseline.p99)} | ${ms(l.baseline.max)} |`,
      `| under attack | ${l.underAttack.n} | ${l.underAttack.failed} | ${ms(l.underAttack.p50)} | ${ms(l.underAttack.p99)} | ${ms(l.underAttack.max)} |`,
      '',
      `Attacker's answers: ${tallyText(l.attack.answers)}.`,
    );
  }
  if (r.orders) {
    const o = r.orders;
    L.push('', '## Order flood', '');
    L.push(
      `Flooder (4 requests at a time, ${o.flooder.seconds} s): ${o.flooder.attempts} attempts: ${tallyText(o.flooder.answers)}.`,
      '',
      `${o.others.customers} other customers: ${o.others.placed} orders placed (place p99 ${ms(o.others.placeP99Ms)}), ${o.others.confirmed} confirmed; refused: ${tallyText(o.others.refused)}; not confirmed: ${tallyText(o.others.notConfirmed)}.`,
    );
  }
  if (r.uploads) {
    const u = r.uploads;
    L.push('', '## Slow uploads', '');
    L.push(
      `${u.uploads} chunked uploads of ${u.bytesEach >> 10} KiB to POST /v1/orders, each from its own address with its own token, over ${round(u.seconds, 1)} s.`,
      '',
      `- edge RSS: ${round(u.edgeRssMb.before, 1)} MiB before, **max ${round(u.edgeRssMb.max, 1)} MiB**, ${round(u.edgeRssMb.after, 1)} MiB after`,
      `- uploads answered: ${tallyText(u.answers)}`,
      `- reads meanwhile (product and stock, 10/s): ${u.probes.ok}/${u.probes.n} ok, p50 ${ms(u.probes.p50)}, p99 ${ms(u.probes.p99)}; ${tallyText(u.probes.answers)}`,
    );
  }
  if (r.catalog) {
    L.push('', '## Catalog stopped', '');
    for (const c of r.catalog.checks)
      L.push(
        `- ${c.what}: ${c.status}${c.reason ? ` ${c.reason}` : ''} ${c.ok ? 'ok' : '**WRONG**'}`,
      );
  }
  return L.join('\n') + '\n';
}
