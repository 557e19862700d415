/**
 * Worker Deployments on the real dev server: sagas started on version A stay on A's code when
 * version B (a changed, replay-incompatible workflow) becomes current; new sagas run on B; A
 * drains. With the saga's PINNED behaviour (order-saga.workflow.ts), B's change never meets
 * A's histories: A's sagas would fail with non-determinism on B (the replay gate test shows it).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_TRACING_MODULE } from '@meshcart/kit/telemetry/temporal';
import { orderWorkflowId, type OrderSagaInput, type SagaState } from '../src/contract';
import { versioningOptions } from '../src/worker/saga-worker';
import { withSagaTelemetry } from '../src/worker/telemetry';
import { eventually, gate, mockActivities } from './support/mock-activities';
import {
  FAST,
  createSagaEnv,
  quietBundlerLogger,
  sagaInput,
  type SagaEnv,
} from './support/saga-env';

jest.setTimeout(400_000);

/** temporal.api.enums.v1.VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINING */
const DRAINING = 1;

let env: SagaEnv;
beforeAll(async () => {
  env = await createSagaEnv();
});
afterAll(async () => {
  await env?.close();
});

/** The operator's rollout step: make `buildId` the deployment's current version. */
async function setCurrent(client: Client, deploymentName: string, buildId: string) {
  // The version exists once its workers have polled: retry until the server knows it.
  await eventually(async () => {
    try {
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: client.options.namespace,
        deploymentName,
        buildId,
        identity: 'versioning-test',
      });
      return true;
    } catch {
      return false;
    }
  }, 60_000);
}

async function versionOf(client: Client, workflowId: string): Promise<string | undefined> {
  const d = await client.workflow.getHandle(workflowId).describe();
  const info = d.raw.workflowExecutionInfo?.versioningInfo;
  return info?.deploymentVersion?.buildId ?? undefined;
}

test('sagas stay on the version that started them; new ones run on the current version; the old one drains', async () => {
  const deploymentName = `saga-test-${randomUUID().slice(0, 8)}`;
  const taskQueue = `saga-versioning-${randomUUID()}`;
  const held = gate();
  const acts = mockActivities({
    authorizePayment: async (req) => {
      if (req.orderId.endsWith('h')) await held.promise;
      return 'PAYMENT_STATUS_AUTHORIZED';
    },
  });
  const workerOf = (buildId: string, workflowBundle: typeof env.bundle) =>
    Worker.create(
      withSagaTelemetry({
        connection: env.connection,
        taskQueue,
        workflowBundle,
        activities: acts,
        ...versioningOptions({ deploymentName, buildId }),
      }),
    );
  // B: the saga with a timer added before its first step (not replay-compatible with A).
  const changed = await bundleWorkflowCode({
    workflowsPath: require.resolve('./support/nondeterministic-saga.workflow'),
    workflowInterceptorModules: [WORKFLOW_TRACING_MODULE],
    logger: quietBundlerLogger,
  });
  const order = (hold: boolean): OrderSagaInput =>
    sagaInput({ orderId: `w${randomUUID().replace(/-/g, '').slice(0, 16)}${hold ? 'h' : 'f'}` });
  const start = (input: OrderSagaInput) =>
    env.client.workflow.start('OrderSaga', {
      taskQueue,
      workflowId: orderWorkflowId(input.orderId),
      args: [input, FAST],
    });
  const timers = async (workflowId: string) =>
    ((await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter(
      (e) => e.timerStartedEventAttributes,
    ).length;

  const a = await workerOf('A', env.bundle);
  const b = await workerOf('B', changed);
  const runA = a.run();
  try {
    await setCurrent(env.client, deploymentName, 'A');
    const onA = [order(true), order(true)];
    const handlesA = await Promise.all(onA.map(start));
    await eventually(() => acts.calls.filter((c) => c === 'authorizePayment').length >= 2, 90_000);

    const runB = b.run();
    const onB = order(false);
    try {
      await setCurrent(env.client, deploymentName, 'B');
      expect(((await (await start(onB)).result()) as SagaState).status).toBe('CONFIRMED');
      expect(await versionOf(env.client, orderWorkflowId(onB.orderId))).toBe('B');
      const timersOnB = await timers(orderWorkflowId(onB.orderId));

      // A still has pinned sagas open: draining, not drained.
      const drainage = async () =>
        (
          await env.client.workflowService.describeWorkerDeploymentVersion({
            namespace: 'default',
            deploymentVersion: { deploymentName, buildId: 'A' },
          })
        ).workerDeploymentVersionInfo?.drainageInfo?.status;
      await eventually(async () => (await drainage()) === DRAINING, 120_000);

      held.open();
      const results = (await Promise.all(handlesA.map((h) => h.result()))) as SagaState[];
      expect(results.map((r) => r.status)).toEqual(['CONFIRMED', 'CONFIRMED']);
      for (const i of onA) {
        expect(await versionOf(env.client, orderWorkflowId(i.orderId))).toBe('A');
        // A's code to the end: one timer fewer than B's code starts (B adds one before the
        // first step; a saga moved to B would have failed to replay instead).
        expect(await timers(orderWorkflowId(i.orderId))).toBe(timersOnB - 1);
      }
      // Nothing open on A any more: it can be shut down.
      const openOnA = await env.client.workflow.count(
        `TaskQueue = '${taskQueue}' AND TemporalWorkerDeploymentVersion = '${deploymentName}:A' AND ExecutionStatus = 'Running'`,
      );
      expect(openOnA.count).toBe(0);
    } finally {
      b.shutdown();
      await runB;
      // B's code exists only in this test: its saga's history must not reach the replay gate
      // that npm test runs after jest (it would fail there, rightly).
      await env.client.workflowService
        .deleteWorkflowExecution({
          namespace: 'default',
          workflowExecution: { workflowId: orderWorkflowId(onB.orderId) },
        })
        .catch(() => undefined); // never started: the test failed before it
      await eventually(
        async () =>
          (await env.client.workflow.count(`WorkflowId = '${orderWorkflowId(onB.orderId)}'`))
            .count === 0,
        60_000,
      );
    }
  } finally {
    held.open();
    a.shutdown();
    await runA;
  }
});
