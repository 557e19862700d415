/**
 * `npm run load:abuse`: the abuse-resistance load test (issue #12). Boots the platform as
 * `npm start` does (bench stack: own ports, databases, task queue, in-memory Temporal), with the
 * edge, users and orders limits at their DEFAULTS (the production values) unless --stack-env
 * overrides one, and runs four bounded scenarios through the JSON edge, every client on its own
 * loopback address:
 *
 *   login     a brute force on one account from one address vs. other customers' logins
 *             (p99 under attack vs. a baseline measured in the same run);
 *   orders    an order flood from one customer vs. other customers' orders (must confirm);
 *   uploads   1,000 slow 1 MiB uploads, each from its own address, vs. edge RSS and reads;
 *   catalog   catalog stopped: login, order status and stock still served, products 503.
 *
 * Options: --short            the short form `npm test` runs (fewer clients, shorter phases)
 *          --out DIR          where abuse.json / abuse.md go (default: bench/results; --short: a temp dir)
 *          --only a,b         some scenarios only (login,orders,uploads,catalog)
 *          --stack-env K=V    extra environment for every stack process (repeatable)
 *          --attack-rps N     brute-force arrival rate (default 200/s)
 * Everything is bounded in time and stops by itself; Ctrl-C stops what it started.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { argValue, stackEnvArgs } from '../lib/args';
import { ROOT } from '../lib/children';
import { childProcesses, readProc } from '../lib/proc';
import { startBenchStack, type BenchStack } from '../lib/stack';
import { closeAgents } from './http';
import { limitsInForce, renderReport, verdicts, type AbuseReport } from './report';
import { catalogDown, loginBruteForce, orderFlood, uploadFlood, type Ctx } from './scenarios';

interface Options {
  short: boolean;
  out: string;
  only: Set<string>;
  stackEnv: Record<string, string>;
  attackRps: number;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => argValue(argv, name);
  const short = argv.includes('--short');
  return {
    short,
    out: path.resolve(
      get('--out') ??
        (short
          ? path.join(os.tmpdir(), 'meshcart-abuse-short')
          : path.join(ROOT, 'bench', 'results')),
    ),
    only: new Set((get('--only') ?? 'login,orders,uploads,catalog').split(',')),
    stackEnv: stackEnvArgs(argv),
    attackRps: Number(get('--attack-rps') ?? 200),
  };
}

const plan = (short: boolean) =>
  short
    ? {
        login: { legitClients: 24, legitEveryMs: 8_000, baselineS: 12, attackS: 12 },
        orders: { seconds: 10, others: 4, otherEveryMs: 2_500, confirmWithinS: 60 },
        uploads: { uploads: 1_000, bytesEach: 1 << 20, chunkBytes: 32 << 10, everyMs: 100 },
      }
    : {
        login: { legitClients: 60, legitEveryMs: 8_000, baselineS: 30, attackS: 30 },
        orders: { seconds: 30, others: 8, otherEveryMs: 3_000, confirmWithinS: 90 },
        uploads: { uploads: 1_000, bytesEach: 1 << 20, chunkBytes: 32 << 10, everyMs: 100 },
      };

const t0 = performance.now();
const log = (line: string) =>
  process.stdout.write(
    `\x1b[31m[abuse +${Math.round((performance.now() - t0) / 1000)}s]\x1b[0m ${line}\n`,
  );

let stack: BenchStack | undefined;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n[abuse] ${signal}: stopping what the load test started\n`);
    void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

function pidOf(pattern: RegExp): number {
  const found = childProcesses(process.pid, (cmd) => (pattern.test(cmd) ? 'x' : undefined));
  if (found.length !== 1)
    throw new Error(`expected one process matching ${pattern}, found ${found.length}`);
  return found[0]!.pid;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const p = plan(o.short);
  mkdirSync(o.out, { recursive: true });
  log(`booting the platform (${o.short ? 'short form' : 'full form'})`);
  stack = await startBenchStack({
    // info: the start lines that state the limits in force are info lines.
    logLevel: 'info',
    cancellationWindow: '1s',
    sharedTemporal: false,
    log,
    env: o.stackEnv,
  });
  const s = stack;
  const report: AbuseReport = {
    mode: o.short ? 'short' : 'full',
    startedAt: new Date().toISOString(),
    machine: { nproc: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?' },
    stackEnv: o.stackEnv,
    limits: limitsInForce(readFileSync(s.logFile, 'utf8')),
  };
  try {
    const ctx: Ctx = {
      edge: new URL(s.edgeUrl),
      skus: s.skus,
      mint: async (subject) =>
        (await s.signer.sign({ subject, roles: ['customer'], ttlSeconds: 3600 })).token,
      log,
    };
    if (o.only.has('login'))
      report.login = await loginBruteForce(ctx, { ...p.login, attackRps: o.attackRps });
    if (o.only.has('orders')) report.orders = await orderFlood(ctx, p.orders);
    if (o.only.has('uploads')) {
      const edgePid = pidOf(/meshcart-edge/);
      report.uploads = await uploadFlood(ctx, {
        ...p.uploads,
        rssKb: () => readProc(edgePid)?.rssKb ?? 0,
      });
    }
    if (o.only.has('catalog')) {
      const catalogPid = pidOf(/services\/catalog\/src\/main\.ts/);
      report.catalog = await catalogDown(ctx, {
        stopCatalog: async () => {
          process.kill(catalogPid, 'SIGTERM');
          const deadline = Date.now() + 15_000;
          while (readProc(catalogPid) && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 100));
        },
      });
    }
  } finally {
    closeAgents();
    // Limits the processes logged at start, re-read: some log their settings lazily.
    report.limits = limitsInForce(readFileSync(s.logFile, 'utf8'));
    await s.stop();
    stack = undefined;
  }
  report.verdicts = verdicts(report);
  report.finishedAt = new Date().toISOString();
  writeFileSync(path.join(o.out, 'abuse.json'), JSON.stringify(report, null, 2));
  const md = renderReport(report);
  writeFileSync(path.join(o.out, 'abuse.md'), md);
  process.stdout.write(`\n${md}\n`);
  log(`report: ${path.join(o.out, 'abuse.md')}`);
  const failed = report.verdicts.filter((v) => v.status === 'FAIL');
  if (failed.length) {
    log(`${failed.length} check(s) failed: ${failed.map((v) => v.id).join(', ')}`);
    process.exitCode = 1;
  }
  // Keep-alive sockets or a straggling timer must not keep a finished run alive.
  setTimeout(() => process.exit(), 1_000).unref();
}

main().catch((e: unknown) => {
  process.stderr.write(`[abuse] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
});
