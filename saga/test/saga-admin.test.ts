/**
 * Operator commands (ops/saga-admin.ts, ops/operator-auth.ts) on the real dev server: only an
 * admin token passes; a NEEDS_ATTENTION saga is listed with its failed compensation, which a
 * retry runs again (once it succeeded, never twice); a running saga cancelled with a reason
 * compensates like any stop, with the operator and reason in its history.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { createTestAuth, type TestAuth } from '@meshcart/kit/testkit';
import { loadConfig } from '@meshcart/kit';
import { orderWorkflowId, type OrderSagaInput, type SagaState } from '../src/contract';
import { operatorSpec } from '../src/ops/config';
import { authorizeOperator } from '../src/ops/operator-auth';
import { cancelSaga, listNeedsAttention, retryCompensation } from '../src/ops/saga-admin';
import { withSagaTelemetry } from '../src/worker/telemetry';
import { businessFailure, eventually, gate, mockActivities } from './support/mock-activities';
import { FAST, createSagaEnv, sagaInput, type SagaEnv } from './support/saga-env';

jest.setTimeout(180_000);

let env: SagaEnv;
let auth: TestAuth;
beforeAll(async () => {
  [env, auth] = await Promise.all([createSagaEnv(), createTestAuth()]);
});
afterAll(async () => {
  await env?.close();
});

const configWith = (token: string) =>
  loadConfig(operatorSpec, { ...auth.env, MESHCART_ADMIN_TOKEN: token });

test('the commands need an admin token, checked like every service checks one', async () => {
  await expect(authorizeOperator(configWith(''))).rejects.toMatchObject({
    reason: 'TOKEN_MISSING',
  });
  await expect(authorizeOperator(configWith(await auth.userToken('u-1')))).rejects.toMatchObject({
    reason: 'ROLE_REQUIRED',
  });
  await expect(authorizeOperator(configWith('not-a-jwt'))).rejects.toMatchObject({
    reason: 'TOKEN_INVALID',
  });
  const forged = await auth.signWith('users', { subject: 'mallory', roles: ['admin'] });
  await expect(authorizeOperator(configWith(forged))).rejects.toMatchObject({
    reason: 'TOKEN_INVALID',
  });
  const admin = await authorizeOperator(configWith(await auth.adminToken()));
  expect(admin.roles).toContain('admin');
});

test('NEEDS_ATTENTION: listed with its failed compensation, retried once, refused after', async () => {
  const taskQueue = `saga-admin-${randomUUID()}`;
  let releaseCalls = 0;
  const acts = mockActivities({
    authorizePayment: async () => Promise.reject(businessFailure('PAYMENT_DECLINED')),
    // Fails in the saga (non-retryable: NEEDS_ATTENTION at once), succeeds when retried.
    releaseReservation: async () => {
      releaseCalls += 1;
      if (releaseCalls === 1) throw businessFailure('RESERVATION_LOCKED');
      return 'RESERVATION_STATUS_RELEASED';
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
  const input = sagaInput({ userId: `carol-${randomUUID()}` });
  await worker.runUntil(async () => {
    const saga = await env.client.workflow.start('OrderSaga', {
      taskQueue,
      workflowId: orderWorkflowId(input.orderId),
      args: [input, FAST],
    });
    const result = (await saga.result()) as SagaState;
    expect(result.status).toBe('NEEDS_ATTENTION');

    const mine = async () =>
      (await listNeedsAttention(env.client, 10_000)).find((s) => s.orderId === input.orderId);
    await eventually(async () => (await mine()) !== undefined, 30_000);
    expect(await mine()).toEqual({
      orderId: input.orderId,
      workflowId: orderWorkflowId(input.orderId),
      runId: expect.any(String),
      customerId: input.userId,
      failedCompensations: [{ name: 'releaseReservation', error: expect.any(String) }],
    });

    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'done',
        (e: { reason?: string }) => e.reason,
      );
    const retry = (compensation: string) =>
      retryCompensation(env.client, { orderId: input.orderId, compensation, operator: 'admin-1' });
    expect(await refusal(retry('teleport'))).toBe('INVALID_ARGUMENT');
    expect(await refusal(retry('voidPayment'))).toBe('FAILED_PRECONDITION'); // did not fail
    expect(await retry('releaseReservation')).toEqual({
      workflowId: expect.any(String),
      outcome: 'RESERVATION_STATUS_RELEASED',
    });
    expect(releaseCalls).toBe(2);
    expect(await refusal(retry('releaseReservation'))).toBe('FAILED_PRECONDITION'); // succeeded once
    expect(releaseCalls).toBe(2);
    expect((await mine())?.failedCompensations).toEqual([
      { name: 'releaseReservation', error: expect.any(String), retry: 'COMPLETED' },
    ]);
    expect(
      await refusal(
        retryCompensation(env.client, {
          orderId: 'nope',
          compensation: 'voidPayment',
          operator: 'a',
        }),
      ),
    ).toBe('NOT_FOUND');
  });
});

test('cancel with a reason: the saga compensates; the operator and reason are in its history', async () => {
  const taskQueue = `saga-admin-${randomUUID()}`;
  const held = gate();
  const acts = mockActivities({
    authorizePayment: async () => {
      await held.promise;
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
  const input: OrderSagaInput = sagaInput();
  const cancel = (reason: string) =>
    cancelSaga(env.client, { orderId: input.orderId, reason, operator: 'admin-1' });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('OrderSaga', {
      taskQueue,
      workflowId: orderWorkflowId(input.orderId),
      args: [input, FAST],
    });
    await eventually(() => acts.calls.includes('authorizePayment'));
    await expect(cancel('  ')).rejects.toMatchObject({ reason: 'INVALID_ARGUMENT' });
    await cancel('fraud review: customer asked by phone');
    const result = (await handle.result()) as SagaState;
    held.open();
    expect(result).toMatchObject({ status: 'CANCELLED', cancellationReason: 'SAGA_CANCELLED' });
    expect(acts.calls).toEqual(expect.arrayContaining(['voidPayment', 'releaseReservation']));
    const events = (await handle.fetchHistory()).events ?? [];
    const requested = events.find(
      (e) => e.workflowExecutionCancelRequestedEventAttributes,
    )?.workflowExecutionCancelRequestedEventAttributes;
    expect(requested).toMatchObject({
      cause: 'fraud review: customer asked by phone',
      identity: 'operator:admin-1',
    });
    await expect(cancel('again')).rejects.toMatchObject({ reason: 'FAILED_PRECONDITION' });
  });
  await expect(
    cancelSaga(env.client, { orderId: `missing-${randomUUID()}`, reason: 'x', operator: 'a' }),
  ).rejects.toMatchObject({ reason: 'NOT_FOUND' });
});
