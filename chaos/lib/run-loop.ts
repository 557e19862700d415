/**
 * The fault loop: boot a private platform once, then round after round place orders through
 * the edge while the scheduler freezes and kills parts of it, and check the invariants after
 * each round. Stops at the first failure (a process died, an invariant broke), on abort
 * (SIGINT), or after the last round; always tears everything down.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createClient, createTokenSigner } from '@meshcart/kit';
import { InventoryAdminServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import { limitsInForce, limitsText } from '../../scripts/local-stack/load-profile';
import type { LoopOptions } from './args';
import { noFaults, runFaults, type FaultCounts } from './faults';
import { FAULT_KINDS } from './faults-kinds';
import { checkRound } from './invariants';
import { driveOrders, planOrders } from './orders-driver';
import { ChaosPlatform, type ProcessDeath } from './platform';
import { seededRandom, sleep } from './random';
import { ShopClient } from './shop-client';
import { readStock, sampleStock, type StockLevels } from './stock';
import { deathReport, faultText, roundLine, type RoundResult } from './summary';

const ROOT = path.resolve(__dirname, '../..');
const USERS = 8;
const SKUS = 6;
const PASSWORD = 'correct horse battery staple';

export interface LoopResult {
  ok: boolean;
  rounds: RoundResult[];
  /** Why the loop stopped early, if it did. */
  stoppedBecause?: string;
  /** Copy of the whole run's process output, kept when the run failed. */
  logKeptAt?: string;
  durationMs: number;
}

export interface LoopIo {
  /** Progress and summary lines. */
  print: (line: string) => void;
  /** Aborting it stops the run (SIGINT); the result then says so. */
  signal?: AbortSignal;
  /** Extra environment for the stack's processes. */
  env?: Record<string, string>;
}

export async function runFaultLoop(opts: LoopOptions, io: LoopIo): Promise<LoopResult> {
  const started = Date.now();
  const rng = seededRandom(opts.seed);
  const stop = new AbortController();
  // Every request and retry pause in flight listens on it (hundreds with many orders in flight).
  setMaxListeners(0, stop.signal);
  const onOuterAbort = () => stop.abort(new Error('interrupted'));
  io.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const rounds: RoundResult[] = [];
  let stoppedBecause: string | undefined;
  io.print(
    `fault loop: ${opts.rounds} round(s) x ${opts.ordersPerRound} orders, seed ${opts.seed}, ` +
      `faults ${opts.faults.join(',') || 'none'}, node ${process.version}`,
  );
  const platform = await ChaosPlatform.start({
    root: ROOT,
    log: io.print,
    env: io.env,
    signal: io.signal,
  });
  const deaths: ProcessDeath[] = [];
  platform.onDeath((d) => {
    deaths.push(d);
    io.print(deathReport(d));
    stop.abort(new Error(`${d.name} died`));
  });
  const note = (line: string) => platform.output.note(line);
  let failed = false;
  let interrupted = false;
  try {
    io.print(`platform up in ${((Date.now() - started) / 1000).toFixed(1)}s: ${platform.edgeUrl}`);
    // The load profile (scripts/local-stack/load-profile.ts) is in force: say so, as logged.
    for (const line of limitsText(limitsInForce(readFileSync(platform.logPath, 'utf8'))))
      io.print(`limits in force: ${line}`);
    const shop = new ShopClient(platform.edgeUrl, stop.signal);
    const boot = Date.now() + 60_000;
    const skus = await shop.activeSkus(SKUS, boot);
    const setStock = await adminSetStock(platform);
    const run = path
      .basename(platform.dataDir)
      .replace(/^meshcart-chaos-/, '')
      .toLowerCase();
    for (let round = 1; round <= opts.rounds && !stop.signal.aborted; round++) {
      const r = await runRound({
        opts,
        round,
        platform,
        shop,
        skus,
        setStock,
        run,
        rng,
        stop,
        note,
      });
      r.deaths = [...deaths];
      if (io.signal?.aborted && deaths.length === 0) {
        // Cut short by Ctrl-C, not by a fault: not a round that passed or failed.
        io.print(`round ${round}/${opts.rounds} interrupted (not counted)`);
        interrupted = true;
        break;
      }
      rounds.push(r);
      io.print(roundLine(r, opts.rounds));
      for (const p of r.problems.slice(0, 20)) io.print(`  invariant: ${p}`);
      if (r.problems.length > 20) io.print(`  ... and ${r.problems.length - 20} more`);
      if (r.problems.length > 0 || r.deaths.length > 0) {
        failed = true;
        stoppedBecause = r.deaths.length > 0 ? `${r.deaths[0]!.name} died` : 'invariant broken';
        break;
      }
    }
    if (interrupted) stoppedBecause = 'interrupted';
    else if (!stoppedBecause && stop.signal.aborted) {
      failed = true;
      stoppedBecause = (stop.signal.reason as Error).message;
    }
  } catch (e) {
    failed = true;
    stoppedBecause = stoppedBecause ?? (e as Error).message;
    io.print(`run failed: ${(e as Error).stack ?? String(e)}`);
  } finally {
    io.signal?.removeEventListener('abort', onOuterAbort);
  }
  const logKeptAt =
    opts.logFile ??
    (failed
      ? path.join(
          path.dirname(platform.dataDir),
          `meshcart-fault-loop-${opts.seed}-${Date.now()}.log`,
        )
      : undefined);
  stop.abort(new Error('done'));
  await platform.stop({ keepLogAt: logKeptAt });
  const result: LoopResult = {
    ok: !failed && rounds.length === opts.rounds,
    rounds,
    stoppedBecause,
    logKeptAt,
    durationMs: Date.now() - started,
  };
  io.print(finalSummary(result, opts));
  return result;
}

interface RoundContext {
  opts: LoopOptions;
  round: number;
  platform: ChaosPlatform;
  shop: ShopClient;
  skus: string[];
  setStock: (sku: string, onHand: number) => Promise<void>;
  run: string;
  rng: ReturnType<typeof seededRandom>;
  stop: AbortController;
  note: (line: string) => void;
}

async function runRound(c: RoundContext): Promise<RoundResult> {
  const started = Date.now();
  const { opts, platform, shop } = c;
  c.note(`round ${c.round} starts`);
  const deadline = Date.now() + 120_000;
  // Fresh sessions each round: a long run outlives the 1 h session TTL.
  const tokens = await Promise.all(
    Array.from({ length: USERS }, (_, u) =>
      shop.login(`chaos-${c.run}-${u}@example.com`, PASSWORD, deadline),
    ),
  );
  // Enough for most orders, not all: the last ones of a round meet OUT_OF_STOCK.
  const target = Math.max(20, Math.ceil(opts.ordersPerRound * 0.35));
  for (const sku of c.skus) await c.setStock(sku, target);
  const before = await retryRead(() =>
    readStock(platform.infra.adminUrl, platform.dbPrefix, c.skus),
  );
  const requestIdPrefix = `chaos-${c.run}-r${c.round}`;
  const drive = {
    shop,
    rng: c.rng,
    tokens,
    skus: c.skus,
    count: opts.ordersPerRound,
    concurrency: opts.concurrency,
    requestIdPrefix,
    orderTimeoutMs: opts.orderTimeoutMs,
    placeTimeoutMs: 120_000,
    signal: c.stop.signal,
  };
  const plan = planOrders(drive);
  const sampler = sampleStock(platform.infra.adminUrl, platform.dbPrefix, c.skus, 2_000);
  let ordersDone = false;
  const faults = runFaults({
    platform,
    rng: c.rng,
    kinds: opts.faults,
    freezeMs: opts.freezeMs,
    gapMs: opts.gapMs,
    ordersDone: () => ordersDone,
    signal: c.stop.signal,
    note: c.note,
  }).then((r) => {
    // A server that did not come back ends the run: the orders cannot settle anyway.
    if (r.error) c.stop.abort(r.error);
    return r;
  });
  await driveOrders(drive, plan).finally(() => (ordersDone = true));
  const { counts: applied, error: faultError } = await faults;
  const extremes = await sampler.stop();
  const result: RoundResult = {
    round: c.round,
    orders: plan,
    faults: applied,
    problems: [],
    deaths: [],
    durationMs: 0,
  };
  if (faultError) result.problems.push(`fault failed: ${faultError.message}`);
  if (c.stop.signal.aborted) {
    result.problems.push(`round aborted: ${(c.stop.signal.reason as Error).message}`);
  } else {
    const after = await retryRead(() =>
      readStock(platform.infra.adminUrl, platform.dbPrefix, c.skus),
    );
    const listed = await Promise.all(tokens.map((t) => shop.listOrders(t, Date.now() + 60_000)));
    result.problems = checkRound({
      orders: plan,
      listed,
      requestIdPrefix,
      before,
      after,
      extremes,
    });
  }
  for (const k of FAULT_KINDS)
    if (opts.faults.includes(k) && applied[k] === 0 && !c.stop.signal.aborted)
      result.problems.push(`fault ${k} was never applied`);
  result.durationMs = Date.now() - started;
  c.note(`round ${c.round} ends: ${result.problems.length} problem(s)`);
  return result;
}

/** The database may be restarting right after the last fault: try for a while. */
async function retryRead(read: () => Promise<StockLevels>): Promise<StockLevels> {
  for (let i = 0; ; i++) {
    try {
      return await read();
    } catch (e) {
      if (i >= 60) throw e;
      await sleep(1_000);
    }
  }
}

/** SetStock over the inventory admin API with an ops token, as an operator would. */
async function adminSetStock(
  platform: ChaosPlatform,
): Promise<(sku: string, onHand: number) => Promise<void>> {
  const env = platform.stack.env;
  const signer = await createTokenSigner({
    issuer: env.JWT_ISSUER!,
    audience: env.JWT_AUDIENCE!,
    privateKeyPem: env.JWT_PRIVATE_KEY!,
    keyId: env.JWT_KEY_ID!,
  });
  const admin = createClient(InventoryAdminServiceService, platform.stack.addresses.inventory, {
    caller: 'ops',
    token: async () =>
      (await signer.sign({ subject: 'ops:chaos', roles: ['admin'], ttlSeconds: 600 })).token,
  });
  return async (sku, onHand) => void (await admin.setStock({ sku, onHand, note: 'fault loop' }));
}

function finalSummary(r: LoopResult, opts: LoopOptions): string {
  const orders = r.rounds.reduce((n, x) => n + x.orders.length, 0);
  const passed = r.rounds.filter((x) => x.problems.length === 0 && x.deaths.length === 0).length;
  const faults = noFaults();
  for (const x of r.rounds)
    for (const [k, n] of Object.entries(x.faults)) faults[k as keyof FaultCounts] += n;
  return [
    `fault loop ${r.ok ? 'PASSED' : r.stoppedBecause === 'interrupted' ? 'INTERRUPTED' : 'FAILED'}: ` +
      `${passed}/${opts.rounds} rounds passed, ${orders} orders, ` +
      `faults ${faultText(faults)}, ${(r.durationMs / 1000).toFixed(0)}s, node ${process.version}, seed ${opts.seed}`,
    ...(r.stoppedBecause ? [`stopped because: ${r.stoppedBecause}`] : []),
    ...(r.logKeptAt ? [`process output of the run: ${r.logKeptAt}`] : []),
  ].join('\n');
}
