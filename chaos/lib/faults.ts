/**
 * The fault scheduler: one fault at a time with a short pause between, for as long as orders
 * are in flight and until every enabled kind was applied at least once this round. The first
 * faults of a round are every kind once in a seeded order, then seeded picks.
 *  - freeze-*: SIGSTOP the process for 5-6 s, then SIGCONT (a paused container, a VM stall).
 *  - kill-*: kill -9 the server, leave it down 1-3 s, start it again on the same data.
 */
import { FAULT_KINDS, type FaultKind } from './faults-kinds';
import type { ChaosPlatform, StackProcess } from './platform';
import { sleep, type Random } from './random';

export type FaultCounts = Record<FaultKind, number>;

export const noFaults = (): FaultCounts =>
  Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts;

const FROZEN: Partial<Record<FaultKind, StackProcess>> = {
  'freeze-payments': 'payments',
  'freeze-inventory': 'inventory',
  'freeze-worker': 'worker',
};

export interface ScheduleOptions {
  platform: ChaosPlatform;
  rng: Random;
  kinds: FaultKind[];
  freezeMs: [number, number];
  gapMs: [number, number];
  /** True once the round's orders are all settled: the scheduler then stops (after the mandatory ones). */
  ordersDone: () => boolean;
  /** Aborted on a failure (a process died): stop at once. */
  signal: AbortSignal;
  note: (line: string) => void;
}

/** What was applied, and the error that stopped the schedule (a server that did not come back). */
export interface FaultRun {
  counts: FaultCounts;
  error?: Error;
}

export async function runFaults(o: ScheduleOptions): Promise<FaultRun> {
  const counts = noFaults();
  const first = o.rng.shuffle(o.kinds);
  const pending = () => o.kinds.some((k) => counts[k] === 0);
  while (!o.signal.aborted && o.kinds.length > 0 && (pending() || !o.ordersDone())) {
    try {
      await sleep(o.rng.int(...o.gapMs), o.signal);
    } catch {
      break; // aborted
    }
    const kind = first.shift() ?? o.rng.pick(o.kinds);
    const started = Date.now();
    try {
      await apply(o, kind);
    } catch (e) {
      o.note(`fault ${kind} failed: ${(e as Error).message}`);
      return { counts, error: e as Error };
    }
    counts[kind] += 1;
    o.note(`fault ${kind} done in ${Date.now() - started} ms`);
  }
  return { counts };
}

async function apply(o: ScheduleOptions, kind: FaultKind): Promise<void> {
  const target = FROZEN[kind];
  if (target) {
    const ms = o.rng.int(...o.freezeMs);
    o.note(`fault ${kind}: SIGSTOP pid ${o.platform.pid(target)} for ${ms} ms`);
    await o.platform.freeze(target, ms);
    return;
  }
  const server = kind === 'kill-temporal' ? o.platform.infra.temporal : o.platform.infra.mariadb;
  const downMs = o.rng.int(1_000, 3_000);
  o.note(`fault ${kind}: kill -9 pid ${server.pid()}, down ${downMs} ms, restart`);
  await server.crashAndRestart(downMs);
}
