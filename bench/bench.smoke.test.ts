/**
 * Keeps the benchmark harness from rotting: runs `bench/run.ts --smoke` (the whole platform,
 * a few seconds per measurement, one concurrency, one arrival rate) as a real process, the way
 * `npm run bench -- --smoke` does, and checks that every section produced numbers. It never
 * asserts speed: this runs beside other suites on a busy machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

jest.setTimeout(900_000);

const ROOT = path.resolve(__dirname, '..');
const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;

interface Result {
  mode: string;
  machine: { nproc: number; cpuModel: string };
  versions: Record<string, string>;
  grpc: { runs: { target: string; rps: number; p50Ms: number; p99Ms: number; requests: number }[] };
  saga: {
    stages: {
      driver: string;
      confirmed: number;
      confirmedPerS: number;
      latency: { p50: number };
    }[];
  };
  resources: { label: string; processes: { name: string; cpuPct: number; rssMbMax: number }[] }[];
  targets: { id: string; status: string }[];
}

let out: string;
let result: Result;

beforeAll(async () => {
  out = mkdtempSync(path.join(os.tmpdir(), 'meshcart-bench-smoke-'));
  const child = spawn(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(ROOT, 'bench/run.ts'), '--smoke', '--out', out],
    {
      cwd: ROOT,
      env: { ...process.env, BENCH_SMOKE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench --smoke exited ${code}:\n${output.slice(-8_000)}`);
  result = JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as Result;
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

test('describes the machine and the versions', () => {
  expect(result.mode).toBe('smoke');
  expect(result.machine.nproc).toBeGreaterThan(0);
  expect(result.machine.cpuModel).not.toBe('');
  for (const k of ['node', 'go', 'temporalCli', 'mariadb', 'ghz', 'wrk'])
    expect(result.versions[k]).toBeTruthy();
});

test('gRPC hop and JSON edge produced numbers for every target', () => {
  const targets = result.grpc.runs.map((r) => r.target).sort();
  expect(targets).toEqual(
    [
      'catalog GetProduct',
      'echo GetProduct',
      'echo GetStock',
      'edge GET /v1/products/{sku}',
      'inventory GetStock',
    ].sort(),
  );
  for (const r of result.grpc.runs) {
    expect(r.requests).toBeGreaterThan(0);
    expect(positive(r.rps)).toBe(true);
    expect(positive(r.p50Ms)).toBe(true);
    expect(positive(r.p99Ms)).toBe(true);
  }
});

test('the real saga and the no-op floor both confirmed orders', () => {
  for (const driver of ['real', 'noop']) {
    const stages = result.saga.stages.filter((s) => s.driver === driver);
    expect(stages.length).toBeGreaterThan(0);
    const s = stages[0]!;
    expect(s.confirmed).toBeGreaterThan(0);
    expect(positive(s.confirmedPerS)).toBe(true);
    expect(positive(s.latency.p50)).toBe(true);
  }
});

test('CPU and memory were sampled for the platform processes, idle and under load', () => {
  const idle = result.resources.find((r) => r.label.startsWith('idle'));
  expect(idle).toBeDefined();
  const names = idle!.processes.map((p) => p.name);
  for (const n of ['catalog', 'inventory', 'orders', 'saga-worker', 'edge (Go)'])
    expect(names).toContain(n);
  for (const p of idle!.processes) {
    expect(Number.isFinite(p.cpuPct)).toBe(true);
    expect(p.rssMbMax).toBeGreaterThan(0);
  }
  expect(result.resources.some((r) => r.label.startsWith('during the saga'))).toBe(true);
});

test('targets are evaluated and the report and plots are written', () => {
  expect(result.targets.length).toBeGreaterThan(0);
  for (const t of result.targets) expect(['MET', 'MISSED', 'N/A']).toContain(t.status);
  expect(readFileSync(path.join(out, 'latest.md'), 'utf8')).toContain('## Targets');
  for (const f of ['grpc-latency.svg', 'saga-latency.svg', 'saga-throughput.svg']) {
    expect(existsSync(path.join(out, f))).toBe(true);
    expect(readFileSync(path.join(out, f), 'utf8')).toMatch(/^<svg /);
  }
});
