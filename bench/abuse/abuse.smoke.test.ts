/**
 * The short form of the abuse load test (`npm run load:abuse -- --short`), run as a real
 * process the way a developer runs it: the whole platform at its default (production) limits,
 * four bounded scenarios through the JSON edge, each client on its own loopback address.
 *
 * It asserts the functional outcomes (brute force throttled, other customers served, order
 * flood refused with 429 while other orders confirm, edge memory bounded under 1,000 slow
 * uploads, catalog down answered per route) and never a latency: the p99 ratio against the
 * baseline is printed by the report, judged in the full form on a quiet machine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { AbuseReport } from './report';

jest.setTimeout(600_000);

const ROOT = path.resolve(__dirname, '../..');
let out: string;
let report: AbuseReport;

beforeAll(async () => {
  out = mkdtempSync(path.join(os.tmpdir(), 'meshcart-abuse-'));
  const child = spawn(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(ROOT, 'bench/abuse/run.ts'), '--short', '--out', out],
    { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    report = JSON.parse(readFileSync(path.join(out, 'abuse.json'), 'utf8')) as AbuseReport;
  } catch {
    throw new Error(`load:abuse --short wrote no report (exit ${code}):\n${output.slice(-8_000)}`);
  }
  process.stdout.write(readFileSync(path.join(out, 'abuse.md'), 'utf8'));
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

const verdict = (id: string) => {
  const v = report.verdicts?.find((x) => x.id === id);
  if (!v) throw new Error(`no verdict ${id}`);
  return v;
};

test('the report says which limits were in force', () => {
  const edge = Object.entries(report.limits).find(([name]) => name === 'edge')?.[1];
  expect(edge).toBeDefined();
  expect(Object.keys(edge!).some((k) => /rate/i.test(k))).toBe(true);
});

test.each([
  'login-throttled',
  'login-others-succeed',
  'orders-flood-429',
  'orders-others-confirm',
  'uploads-rss',
  'uploads-others-served',
  'catalog-down',
])('%s', (id) => {
  const v = verdict(id);
  expect(`${v.status}: ${v.detail}`).toMatch(/^PASS/);
});

test('the latency ratio under attack is measured and reported (judged in the full form)', () => {
  expect(report.login!.baseline.n).toBeGreaterThan(10);
  expect(report.login!.underAttack.n).toBeGreaterThan(10);
  expect(Number.isFinite(report.login!.p99Ratio)).toBe(true);
});
