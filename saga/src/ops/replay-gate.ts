/**
 * The replay gate: exports the histories of recent sagas (completed and running) from a
 * Temporal server and replays them against the current workflow code. A change that would make
 * a live saga fail with a non-determinism error on deploy fails here first. The recorded
 * histories (saga/test/histories) pin the scenarios we wrote down; this gate covers what actually
 * ran: the local dev server after the e2e suites in `npm test`, staging in CI (README,
 * "Operating the saga").
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { Worker, type ReplayWorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import { workflowSpanSinks } from '@meshcart/kit/telemetry/temporal';
import { ORDER_SAGA_WORKFLOW } from '../contract';
import { sagaMetricsSinks } from '../worker/saga-metrics';

export interface ReplayGateOptions {
  client: Client;
  /** The workflow code to check (bundleSagaWorkflows() in production use). */
  workflowBundle: WorkflowBundle;
  /** The payload codec the sagas were written with (their inputs are encrypted). */
  dataConverter?: ReplayWorkerOptions['dataConverter'];
  /** Sagas started within this long before now (default 7 days). */
  sinceMs?: number;
  /** At most this many, newest first by the server's order (default 500). */
  limit?: number;
  /** Extra visibility filter ANDed to the workflow type (e.g. `TaskQueue = 'x'`). */
  filter?: string;
}

export interface ReplayGateResult {
  replayed: number;
  /** One line per saga that did not replay: `<workflowId>/<runId>: <error>`. */
  failures: string[];
  /**
   * Sagas whose payloads this gate cannot decrypt (no TEMPORAL_PAYLOAD_KEYS, or written with a
   * key it lacks: e.g. a test's throwaway key): not replayed, listed, not a failure - unless
   * nothing could be replayed at all (gateVerdict).
   */
  undecodable: string[];
}

/** Passes when every saga replayed and at least one did (all undecodable = misconfigured keys). */
export const gateVerdict = (r: ReplayGateResult): boolean =>
  r.failures.length === 0 && (r.replayed > 0 || r.undecodable.length === 0);

/**
 * True when the saga's input is encrypted and the given codec cannot decrypt it. Checked before
 * replaying: the replay itself would fail on it, and that is a key problem, not a code one.
 */
export async function isUndecodable(
  history: History,
  dataConverter: ReplayWorkerOptions['dataConverter'],
): Promise<boolean> {
  const payloads =
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  const encrypted = payloads.some(
    (p) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString() === 'binary/encrypted',
  );
  if (!encrypted) return false;
  const codecs = dataConverter?.payloadCodecs ?? [];
  if (codecs.length === 0) return true;
  try {
    let decoded = payloads;
    for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
    return false;
  } catch {
    return true;
  }
}

export const DEFAULT_REPLAY_SINCE_MS = 7 * 86_400_000;
export const DEFAULT_REPLAY_LIMIT = 500;

/** The visibility query of the sagas to replay. */
export function replayQuery(sinceMs: number, now: Date, filter?: string): string {
  const since = new Date(now.getTime() - sinceMs).toISOString();
  const base = `WorkflowType = '${ORDER_SAGA_WORKFLOW}' AND StartTime > '${since}'`;
  return filter ? `${base} AND (${filter})` : base;
}

/** Downloads the histories (newest first, up to `limit`). */
export async function exportSagaHistories(
  client: Client,
  query: string,
  limit: number,
): Promise<{ workflowId: string; runId: string; history: History }[]> {
  const runs: { workflowId: string; runId: string }[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
    runs.push({ workflowId: wf.workflowId, runId: wf.runId });
    if (runs.length >= limit) break;
  }
  const out: { workflowId: string; runId: string; history: History }[] = [];
  for (const r of runs) {
    try {
      const history = await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory();
      out.push({ ...r, history });
    } catch (err) {
      // Listed, then gone (retention or a deletion since): nothing to replay.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return out;
}

/** Replays the given histories; every failure (non-determinism or otherwise) is reported. */
export async function replayHistories(
  workflowBundle: WorkflowBundle,
  histories: { workflowId: string; history: History }[],
  dataConverter?: ReplayWorkerOptions['dataConverter'],
): Promise<ReplayGateResult> {
  const failures: string[] = [];
  const undecodable: string[] = [];
  const readable: typeof histories = [];
  for (const h of histories) {
    if (await isUndecodable(h.history, dataConverter)) undecodable.push(h.workflowId);
    else readable.push(h);
  }
  let replayed = 0;
  // The production sinks: skipped during replay, but the workflow code calls them.
  const sinks = { ...workflowSpanSinks(), ...sagaMetricsSinks() };
  for await (const r of Worker.runReplayHistories(
    {
      workflowBundle,
      sinks,
      replayName: 'saga-replay-gate',
      ...(dataConverter ? { dataConverter } : {}),
    },
    readable,
  )) {
    replayed += 1;
    if (r.error) failures.push(`${r.workflowId}/${r.runId}: ${r.error.name}: ${r.error.message}`);
  }
  return { replayed, failures, undecodable };
}

/** Export + replay. */
export async function runReplayGate(opts: ReplayGateOptions): Promise<ReplayGateResult> {
  const query = replayQuery(opts.sinceMs ?? DEFAULT_REPLAY_SINCE_MS, new Date(), opts.filter);
  const histories = await exportSagaHistories(
    opts.client,
    query,
    opts.limit ?? DEFAULT_REPLAY_LIMIT,
  );
  return replayHistories(opts.workflowBundle, histories, opts.dataConverter);
}
