/**
 * Determinism guard: every recorded saga history (test/histories/*.json) must replay against
 * the current workflow code. A change that would break running sagas fails here. Record new
 * ones with `RECORD_HISTORIES=1 npx jest saga` (see saga/README.md).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { sagaMetricsSinks } from '../src/worker/saga-metrics';
import { bundleSagaWorkflows } from '../src/worker/saga-worker';
import { workflowSpanSinks } from '@meshcart/kit/telemetry/temporal';
import { HISTORIES_DIR, quietBundlerLogger, quietRuntime } from './support/saga-env';

jest.setTimeout(120_000);

// Sub-folders keep histories of earlier workflow versions (sagas of that version may still run).
const files = (readdirSync(HISTORIES_DIR, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.json'))
  .sort();

test('recorded histories cover every scenario', () => {
  const names = files.filter((f) => !f.includes(path.sep)).map((f) => path.basename(f, '.json'));
  for (const scenario of [
    'happy-path',
    'fail-reserveStock',
    'fail-authorizePayment',
    'fail-createShipment',
    'authorization-expired',
    'needs-attention',
    'cancel-while-running',
    'cancel-after-confirm',
    'cancel-after-dispatch',
    // Dispatch only after capture (release-shipment-after-capture patch).
    'capture-retried-then-released',
    'cancel-during-capture-outage',
    'cancel-after-release-dispatched',
    'int-capture-outage-released',
  ]) {
    expect(names).toContain(scenario);
  }
});

test('every recorded history replays without non-determinism', async () => {
  const histories = files.map((f) => ({
    workflowId: f.replace(/\.json$/, ''),
    history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, f), 'utf8'))),
  }));
  const failures: string[] = [];
  let replayed = 0;
  quietRuntime();
  const workflowBundle = await bundleSagaWorkflows(quietBundlerLogger);
  // The production sinks (skipped during replay, but they must be known).
  const sinks = { ...workflowSpanSinks(), ...sagaMetricsSinks() };
  for await (const r of Worker.runReplayHistories(
    { workflowBundle, sinks, replayName: 'saga-determinism' },
    histories,
  )) {
    replayed += 1;
    if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
});
