/**
 * The two closed-loop load generators: ghz (gRPC) and wrk (HTTP/1.1). Both run with the same
 * client shape in every comparison: `concurrency` workers, one connection for ghz (a grpc-js
 * client's single HTTP/2 channel), one thread, a fixed duration, a separate warm-up run first.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface LoadResult {
  tool: 'ghz' | 'wrk';
  target: string;
  concurrency: number;
  durationS: number;
  requests: number;
  /** Requests that failed for a reason other than the run ending (see below). */
  errors: number;
  errorSamples: string[];
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  /**
   * CPU time the server side spent per successful request, µs, per process (the service, or the
   * edge + catalog, + MariaDB): robust to a busy machine where latency is not.
   */
  cpuUsPerRequest?: Record<string, number>;
}

export interface GhzTarget {
  name: string;
  address: string;
  /** Fully qualified method, e.g. shop.catalog.v1.CatalogService.GetProduct */
  call: string;
  data: Record<string, unknown>;
}

const ROOT = path.resolve(__dirname, '../..');
export const GHZ = path.join(ROOT, '.tools/bin/ghz');
export const DESCRIPTOR_SET = path.join(ROOT, 'gen/ts/descriptor.binpb');
const WRK_SCRIPT = path.join(__dirname, '..', 'wrk-report.lua');

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        // ghz exits 1 when any call failed but still prints its report.
        if (stdout.trim().startsWith('{')) return resolve(stdout);
        if (err) return reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`));
        resolve(stdout);
      },
    );
  });
}

interface GhzReport {
  count: number;
  total: number;
  average: number;
  rps: number;
  errorDistribution?: Record<string, number>;
  statusCodeDistribution?: Record<string, number>;
  latencyDistribution?: { percentage: number; latency: number }[] | null;
}

/**
 * Calls still in flight when ghz's duration ends are cut off and reported as errors ("use of
 * closed network connection", "transport is closing", "grpc: the client connection is closing").
 * At most `concurrency` of them: they are an artefact of stopping, not failures of the server.
 */
const END_OF_RUN =
  /closed network connection|transport is closing|client connection is closing|context canceled/i;

export async function ghz(
  t: GhzTarget,
  opts: { concurrency: number; durationS: number; cpus: number },
): Promise<LoadResult> {
  const args = [
    '--insecure',
    '--protoset',
    DESCRIPTOR_SET,
    '--call',
    t.call,
    '-d',
    JSON.stringify(t.data),
    '-c',
    String(opts.concurrency),
    '--connections',
    '1',
    '--cpus',
    String(opts.cpus),
    '-z',
    `${opts.durationS}s`,
    '--timeout',
    '5s',
    '-O',
    'json',
    t.address,
  ];
  const out = await run(GHZ, args, (opts.durationS + 60) * 1000);
  const r = JSON.parse(out) as GhzReport;
  let cutOff = 0;
  let errors = 0;
  const samples: string[] = [];
  for (const [msg, n] of Object.entries(r.errorDistribution ?? {})) {
    if (END_OF_RUN.test(msg) && cutOff + n <= opts.concurrency) cutOff += n;
    else {
      errors += n;
      samples.push(`${n}x ${msg}`.slice(0, 300));
    }
  }
  const pct = (p: number) =>
    (r.latencyDistribution ?? []).find((d) => d.percentage === p)?.latency ?? NaN;
  const ok = r.count - cutOff - errors;
  return {
    tool: 'ghz',
    target: t.name,
    concurrency: opts.concurrency,
    durationS: r.total / 1e9,
    requests: ok,
    errors,
    errorSamples: samples.slice(0, 5),
    rps: ok / (r.total / 1e9),
    p50Ms: pct(50) / 1e6,
    p90Ms: pct(90) / 1e6,
    p99Ms: pct(99) / 1e6,
    meanMs: r.average / 1e6,
  };
}

interface WrkReport {
  requests: number;
  duration_us: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

/** wrk with one thread and `concurrency` keep-alive connections; percentiles from its histogram. */
export async function wrk(
  name: string,
  url: string,
  opts: { concurrency: number; durationS: number },
): Promise<LoadResult> {
  const args = [
    '-t1',
    `-c${opts.concurrency}`,
    `-d${opts.durationS}s`,
    '--timeout',
    '5s',
    '-s',
    WRK_SCRIPT,
    url,
  ];
  const out = await run('wrk', args, (opts.durationS + 60) * 1000);
  const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no report:\n${out}`);
  const r = JSON.parse(line) as WrkReport;
  const errors =
    r.errors.connect + r.errors.read + r.errors.write + r.errors.status + r.errors.timeout;
  const durationS = r.duration_us / 1e6;
  return {
    tool: 'wrk',
    target: name,
    concurrency: opts.concurrency,
    durationS,
    requests: r.requests - errors,
    errors,
    errorSamples: errors ? [JSON.stringify(r.errors)] : [],
    rps: (r.requests - errors) / durationS,
    p50Ms: r.p50 / 1000,
    p90Ms: r.p90 / 1000,
    p99Ms: r.p99 / 1000,
    meanMs: r.mean / 1000,
  };
}

/** ghz's pinned module version (its binary built by `go install` prints none) and `wrk -v`. */
export async function toolVersions(): Promise<{ ghz: string; wrk: string }> {
  let ghzV = 'unknown';
  try {
    ghzV = readFileSync(path.join(ROOT, '.tools/bin/.ghz.version'), 'utf8')
      .trim()
      .replace(/^.*@/, '');
  } catch {
    /* not installed through ensure_go_tool */
  }
  const wrkV = await new Promise<string>((resolve) =>
    execFile('wrk', ['-v'], (_e, stdout, stderr) => resolve(`${stdout}${stderr}`)),
  );
  return {
    ghz: ghzV,
    wrk: wrkV
      .split('\n')[0]!
      .replace(/ Copyright.*$/, '')
      .trim(),
  };
}
