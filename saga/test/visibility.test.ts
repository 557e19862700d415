/**
 * The saga's search attributes and the replay gate, on the real dev server: sagas of two
 * customers, some held at AUTHORIZE_PAYMENT, are listed by customer and by step through
 * ListWorkflowExecutions with exactly the expected ones; then the replay gate exports their
 * histories (running and completed) and replays them against this code (clean) and against a
 * deliberately non-deterministic change (refused).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { parse as parseYaml } from 'yaml';
import { orderWorkflowId, type OrderSagaInput } from '../src/contract';
import {
  CUSTOMER_ID,
  ORDER_CURRENCY,
  ORDER_STATUS,
  ORDER_TOTAL_MINOR,
  PAYMENT_STATUS,
  SAGA_SEARCH_ATTRIBUTES,
  SAGA_STEP,
  queryLiteral,
  sagaQueries,
} from '../src/contract/search-attributes';
import { checkSagaSearchAttributes } from '../src/ops/search-attributes';
import { replayHistories, runReplayGate } from '../src/ops/replay-gate';
import { withSagaTelemetry } from '../src/worker/telemetry';
import { eventually, gate, mockActivities } from './support/mock-activities';
import {
  FAST,
  createSagaEnv,
  quietBundlerLogger,
  sagaInput,
  type SagaEnv,
} from './support/saga-env';

jest.setTimeout(180_000);

let env: SagaEnv;
beforeAll(async () => {
  env = await createSagaEnv();
});
afterAll(async () => {
  await env?.close();
});

test('scripts/temporal.sh registers exactly the attributes of the contract', () => {
  const script = readFileSync(path.resolve(__dirname, '../../scripts/temporal.sh'), 'utf8');
  const list = /SEARCH_ATTRIBUTES=\(([^)]*)\)/.exec(script)?.[1] ?? '';
  const registered = list.split(/\s+/).filter(Boolean).sort();
  const TYPE = { KEYWORD: 'Keyword', INT: 'Int' } as Record<string, string>;
  expect(registered).toEqual(SAGA_SEARCH_ATTRIBUTES.map((a) => `${a.name}=${TYPE[a.type]}`).sort());
});

test("the chart's setup Job registers the same attributes", () => {
  const values = parseYaml(
    readFileSync(path.resolve(__dirname, '../../helm/meshcart/values.yaml'), 'utf8'),
  ) as { temporal: { searchAttributes: { name: string; type: string }[] } };
  const TYPE = { KEYWORD: 'Keyword', INT: 'Int' } as Record<string, string>;
  expect(values.temporal.searchAttributes).toEqual(
    SAGA_SEARCH_ATTRIBUTES.map((a) => ({ name: a.name, type: TYPE[a.type] })),
  );
});

test('query literals are quoted and escaped', () => {
  expect(queryLiteral(`o'brien\\x`)).toBe(`'o\\'brien\\\\x'`);
});

test('sagas are listed by customer and by step; the replay gate replays them and refuses a non-deterministic change', async () => {
  const state = await checkSagaSearchAttributes(env.client.connection, 'default');
  expect(state).toEqual({ missing: [], mistyped: [] });

  const taskQueue = `saga-visibility-${randomUUID()}`;
  const [alice, bob] = [`alice-${randomUUID()}`, `bob-${randomUUID()}`];
  const held = gate();
  const acts = mockActivities({
    // Bob's orders and Alice's second wait at the payment step until the test lets go.
    authorizePayment: async (req) => {
      if (req.orderId.endsWith('h')) await held.promise;
      return 'PAYMENT_STATUS_AUTHORIZED';
    },
  });
  const worker = await Worker.create(
    withSagaTelemetry({
      connection: env.connection,
      taskQueue,
      workflowBundle: env.bundle,
      activities: acts,
    }),
  );
  const order = (userId: string, hold: boolean, amountMinor: string): OrderSagaInput =>
    sagaInput({
      orderId: `v${randomUUID().replace(/-/g, '').slice(0, 16)}${hold ? 'h' : 'f'}`,
      userId,
      total: { currencyCode: 'EUR', amountMinor },
    });
  const done = order(alice, false, '1250');
  const waiting = [order(alice, true, '990'), order(bob, true, '4500')];

  await worker.runUntil(async () => {
    const start = (input: OrderSagaInput) =>
      env.client.workflow.start('OrderSaga', {
        taskQueue,
        workflowId: orderWorkflowId(input.orderId),
        args: [input, FAST],
      });
    await (await start(done)).result();
    const handles = await Promise.all(waiting.map(start));
    const ids = async (query: string) => {
      const out: string[] = [];
      for await (const wf of env.client.workflow.list({ query })) out.push(wf.workflowId);
      return out.sort();
    };
    const wfIds = (inputs: OrderSagaInput[]) =>
      inputs.map((i) => orderWorkflowId(i.orderId)).sort();
    const ofThisTest = `TaskQueue = ${queryLiteral(taskQueue)}`;

    // Visibility is eventually consistent: poll until the index caught up, then compare exactly.
    let byAlice: string[] = [];
    let atPayment: string[] = [];
    await eventually(async () => {
      byAlice = await ids(sagaQueries.byCustomer(alice));
      atPayment = await ids(`${sagaQueries.byStep('AUTHORIZE_PAYMENT')} AND ${ofThisTest}`);
      return byAlice.length >= 2 && atPayment.length >= 2;
    }, 30_000);
    expect(byAlice).toEqual(wfIds([done, waiting[0]!]));
    expect(atPayment).toEqual(wfIds(waiting));
    expect(await ids(sagaQueries.byCustomer(bob))).toEqual(wfIds([waiting[1]!]));
    expect(await ids(`${sagaQueries.byStep('CONFIRMED')} AND ${ofThisTest}`)).toEqual(
      wfIds([done]),
    );
    expect(
      await ids(
        `${ORDER_TOTAL_MINOR.name} > 1000 AND ${ORDER_STATUS.name} = 'PENDING' AND ${ofThisTest}`,
      ),
    ).toEqual(wfIds([waiting[1]!]));

    const finished = (await env.client.workflow.getHandle(orderWorkflowId(done.orderId)).describe())
      .typedSearchAttributes;
    expect({
      customer: finished.get(CUSTOMER_ID),
      status: finished.get(ORDER_STATUS),
      step: finished.get(SAGA_STEP),
      payment: finished.get(PAYMENT_STATUS),
      total: finished.get(ORDER_TOTAL_MINOR),
      currency: finished.get(ORDER_CURRENCY),
    }).toEqual({
      customer: alice,
      status: 'CONFIRMED',
      step: 'CONFIRMED',
      payment: 'PAYMENT_STATUS_CAPTURED',
      total: 1250,
      currency: 'EUR',
    });

    // The gate over this test's sagas: one completed, two running.
    const gateRun = await runReplayGate({
      client: env.client,
      workflowBundle: env.bundle,
      filter: ofThisTest,
    });
    expect(gateRun).toEqual({ replayed: 3, failures: [], undecodable: [] });

    // The same histories against a saga with a timer added before its first step.
    const changed = await bundleWorkflowCode({
      workflowsPath: require.resolve('./support/nondeterministic-saga.workflow'),
      logger: quietBundlerLogger,
    });
    const histories = await Promise.all(
      [done, ...waiting].map(async (i) => ({
        workflowId: orderWorkflowId(i.orderId),
        history: await env.client.workflow.getHandle(orderWorkflowId(i.orderId)).fetchHistory(),
      })),
    );
    const refused = await replayHistories(changed, histories);
    expect(refused.replayed).toBe(3);
    expect(refused.failures).toHaveLength(3);
    expect(refused.failures.join('\n')).toMatch(/DeterminismViolationError/);

    held.open();
    await Promise.all(handles.map((h) => h.result()));
  });
});
