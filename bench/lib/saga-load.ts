/**
 * Saga load generator: places orders at a fixed arrival rate (open loop: arrivals never wait
 * for earlier orders) or with a fixed number of customers who each wait for their order to be
 * CONFIRMED before placing the next (closed loop: the maximum sustainable rate), and measures
 * place -> CONFIRMED latency and confirmed orders/s.
 *
 * It drives any `SagaDriver`: the real platform (gRPC PlaceOrder as a customer; CONFIRMED seen
 * in the orders database, timestamped by the service's own update_time) or the no-op saga
 * (started directly with the Temporal client; CONFIRMED reported by the no-op worker).
 * Every stage is bounded in time: arrivals stop after `durationS`, and orders not finished
 * `drainS` later are counted as unfinished (Infinity in the percentiles).
 */
import { summarize, sleep } from './stats';

export type Outcome = {
  status: 'CONFIRMED' | 'CANCELLED' | 'NEEDS_ATTENTION' | string;
  at: number;
};

/** Waits for orders to finish; the watchers (DB poller, worker output) call `finish`. */
export class CompletionTracker {
  private readonly waiting = new Map<string, (o: Outcome) => void>();
  private readonly early = new Map<string, Outcome>();

  /** Ids still waiting (the DB poller asks for these). */
  pendingIds(): string[] {
    return [...this.waiting.keys()];
  }

  wait(id: string): Promise<Outcome> {
    const done = this.early.get(id);
    if (done) {
      this.early.delete(id);
      return Promise.resolve(done);
    }
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  finish(id: string, outcome: Outcome): void {
    const resolve = this.waiting.get(id);
    if (resolve) {
      this.waiting.delete(id);
      resolve(outcome);
    } else if (this.early.size < 100_000) {
      // Reported before wait() was called (the no-op worker can be that quick).
      this.early.set(id, outcome);
    }
  }

  forget(id: string): void {
    this.waiting.delete(id);
    this.early.delete(id);
  }
}

export interface SagaDriver {
  readonly name: string;
  /** Places one order; resolves its id once accepted (PlaceOrder answered / workflow started). */
  place(seq: number): Promise<string>;
  readonly tracker: CompletionTracker;
}

export interface StageResult {
  driver: string;
  mode: 'open' | 'closed';
  /** Arrival rate (open loop), orders/s. */
  rate?: number;
  /** Customers (closed loop). */
  concurrency?: number;
  durationS: number;
  placed: number;
  placeErrors: number;
  placeErrorSamples: string[];
  /** Arrivals skipped because too many orders were in flight (open loop safety cap). */
  dropped: number;
  confirmed: number;
  /** Finished otherwise (CANCELLED / NEEDS_ATTENTION). */
  failed: number;
  failedSamples: string[];
  unfinished: number;
  /** Confirmed orders per second over the measurement window. */
  confirmedPerS: number;
  /** place -> CONFIRMED, ms (unfinished and failed orders count as Infinity). */
  latency: { p50: number; p90: number; p99: number; max: number; mean: number; n: number };
  /** The place call alone (PlaceOrder RPC / workflow start), ms. */
  placeLatency: { p50: number; p99: number };
}

interface OrderRecord {
  scheduledAt: number;
  placedAt?: number;
  outcome?: Outcome;
  error?: string;
}

const epoch = () => Date.now();

async function one(
  driver: SagaDriver,
  seq: number,
  scheduledAt: number,
  drainUntil: number,
): Promise<OrderRecord> {
  const rec: OrderRecord = { scheduledAt };
  let id: string;
  try {
    id = await driver.place(seq);
    rec.placedAt = epoch();
  } catch (e) {
    rec.error = (e as Error).message;
    return rec;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, drainUntil - epoch()));
  });
  const o = await Promise.race([driver.tracker.wait(id), timeout]);
  clearTimeout(timer);
  if (o) rec.outcome = o;
  else driver.tracker.forget(id);
  return rec;
}

function summarizeStage(
  base: Pick<StageResult, 'driver' | 'mode' | 'rate' | 'concurrency' | 'durationS' | 'dropped'>,
  records: OrderRecord[],
  windowStart: number,
  windowEnd: number,
): StageResult {
  const placeErr = records.filter((r) => r.error !== undefined);
  const placed = records.filter((r) => r.error === undefined);
  const confirmed = placed.filter((r) => r.outcome?.status === 'CONFIRMED');
  const failed = placed.filter((r) => r.outcome && r.outcome.status !== 'CONFIRMED');
  const unfinished = placed.filter((r) => !r.outcome);
  const lat = placed.map((r) =>
    r.outcome?.status === 'CONFIRMED' ? Math.max(0, r.outcome.at - r.scheduledAt) : Infinity,
  );
  const inWindow = confirmed.filter(
    (r) => r.outcome!.at >= windowStart && r.outcome!.at <= windowEnd,
  );
  const pl = summarize(placed.map((r) => r.placedAt! - r.scheduledAt));
  return {
    ...base,
    placed: placed.length,
    placeErrors: placeErr.length,
    placeErrorSamples: [...new Set(placeErr.map((r) => r.error!.slice(0, 200)))].slice(0, 3),
    confirmed: confirmed.length,
    failed: failed.length,
    failedSamples: [...new Set(failed.map((r) => r.outcome!.status))].slice(0, 3),
    unfinished: unfinished.length,
    confirmedPerS: inWindow.length / ((windowEnd - windowStart) / 1000),
    latency: summarize(lat),
    placeLatency: { p50: pl.p50, p99: pl.p99 },
  };
}

/**
 * Open loop: order i is due at start + i/rate (fixed spacing) and is placed then, whatever
 * happened to earlier orders. Latency counts from the due time, so a stalled generator
 * cannot hide queueing (no coordinated omission). Throughput: confirmations of this stage's
 * orders from the first arrival until the last confirmation (or the drain deadline).
 */
export async function openLoop(
  driver: SagaDriver,
  opts: { rate: number; durationS: number; drainS: number; maxInFlight?: number; seqBase: number },
): Promise<StageResult> {
  const interval = 1000 / opts.rate;
  const total = Math.max(1, Math.round(opts.rate * opts.durationS));
  const maxInFlight = opts.maxInFlight ?? Math.max(50, opts.rate * 5);
  const start = epoch() + 50;
  const drainUntil = start + opts.durationS * 1000 + opts.drainS * 1000;
  const running: Promise<OrderRecord>[] = [];
  let inFlight = 0;
  let dropped = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - epoch();
    if (wait > 1) await sleep(wait);
    if (inFlight >= maxInFlight) {
      dropped++;
      continue;
    }
    inFlight++;
    running.push(
      one(driver, opts.seqBase + i, due, drainUntil).finally(() => {
        inFlight--;
      }),
    );
  }
  const records = await Promise.all(running);
  const lastDone = Math.max(
    start + opts.durationS * 1000,
    ...records.map((r) => (r.outcome?.status === 'CONFIRMED' ? r.outcome.at : 0)),
  );
  return summarizeStage(
    { driver: driver.name, mode: 'open', rate: opts.rate, durationS: opts.durationS, dropped },
    records,
    start,
    lastDone,
  );
}

/**
 * Closed loop: `concurrency` customers, each placing an order and waiting for it to finish
 * before the next. After `warmupS`, confirmations during the next `durationS` give the
 * maximum sustainable confirmed orders/s; latency is that of orders placed in the window.
 */
export async function closedLoop(
  driver: SagaDriver,
  opts: {
    concurrency: number;
    warmupS: number;
    durationS: number;
    drainS: number;
    seqBase: number;
  },
): Promise<StageResult> {
  const t0 = epoch();
  const windowStart = t0 + opts.warmupS * 1000;
  const windowEnd = windowStart + opts.durationS * 1000;
  const drainUntil = windowEnd + opts.drainS * 1000;
  let seq = opts.seqBase;
  const records: OrderRecord[] = [];
  const customer = async () => {
    while (epoch() < windowEnd) {
      const rec = await one(driver, seq++, epoch(), drainUntil);
      records.push(rec);
      if (rec.error) await sleep(100); // do not spin on a failing place call
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, customer));
  const measured = records.filter((r) => r.scheduledAt >= windowStart);
  const s = summarizeStage(
    {
      driver: driver.name,
      mode: 'closed',
      concurrency: opts.concurrency,
      durationS: opts.durationS,
      dropped: 0,
    },
    measured,
    windowStart,
    windowEnd,
  );
  // Throughput: every confirmation inside the window, whenever its order was placed.
  const confirmedInWindow = records.filter(
    (r) =>
      r.outcome?.status === 'CONFIRMED' && r.outcome.at >= windowStart && r.outcome.at <= windowEnd,
  ).length;
  s.confirmedPerS = confirmedInWindow / opts.durationS;
  return s;
}
