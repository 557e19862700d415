import { status } from '@grpc/grpc-js';
import {
  ApplicationFailure,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { DomainError } from '@meshcart/kit';
import type { OrderSagaInput } from '@meshcart/saga/contract';
import { temporalSagaGateway } from './temporal-saga-gateway';

/** Just enough of a Temporal Client for the gateway: every call fails with `err`. */
function failingClient(err: Error): Client {
  const fail = async () => {
    throw err;
  };
  return {
    withDeadline: (_d: Date, fn: () => Promise<unknown>) => fn(),
    workflow: { start: fail, getHandle: () => ({ executeUpdate: fail, describe: fail }) },
  } as unknown as Client;
}

const outcome = async (p: Promise<void>): Promise<[string, string] | 'ok' | unknown> =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof DomainError ? [status[e.code], e.reason] : e),
  );
const cancelWith = (err: Error) => outcome(temporalSagaGateway(failingClient(err)).cancel('o-1'));
const updateFailed = (type: string) =>
  new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({ type, message: 'no' }),
  );

test.each([
  [
    'ALREADY_DISPATCHED',
    updateFailed('ALREADY_DISPATCHED'),
    ['FAILED_PRECONDITION', 'ALREADY_DISPATCHED'],
  ],
  [
    'CANCELLATION_WINDOW_CLOSED',
    updateFailed('CANCELLATION_WINDOW_CLOSED'),
    ['FAILED_PRECONDITION', 'CANCELLATION_WINDOW_CLOSED'],
  ],
  [
    'the workflow ended meanwhile',
    updateFailed('AcceptedUpdateCompletedWorkflow'),
    ['FAILED_PRECONDITION', 'CANCELLATION_WINDOW_CLOSED'],
  ],
  [
    'no such workflow',
    new WorkflowNotFoundError('gone', 'order-o-1', undefined),
    ['FAILED_PRECONDITION', 'CANCELLATION_WINDOW_CLOSED'],
  ],
  [
    'no answer in time',
    new WorkflowUpdateRPCTimeoutOrCancelledError('slow'),
    ['DEADLINE_EXCEEDED', 'SAGA_TIMEOUT'],
  ],
  ['Temporal unreachable', new ServiceError('down'), ['UNAVAILABLE', 'SAGA_UNAVAILABLE']],
])('cancel: %s', async (_what, err, expected) => {
  expect(await cancelWith(err)).toEqual(expected);
});

test('cancel: an undocumented refusal is not disguised as a business error (INTERNAL upstream)', async () => {
  const err = updateFailed('SOMETHING_NEW');
  expect(await cancelWith(err)).toBe(err);
});

const input = { orderId: 'o-1' } as OrderSagaInput;

test('start: a saga that already ran is success (never a second one); transport failures are UNAVAILABLE', async () => {
  const closed = new WorkflowExecutionAlreadyStartedError('exists', 'order-o-1', 'OrderSaga');
  expect(await outcome(temporalSagaGateway(failingClient(closed)).start(input))).toBe('ok');
  expect(
    await outcome(temporalSagaGateway(failingClient(new ServiceError('down'))).start(input)),
  ).toEqual(['UNAVAILABLE', 'SAGA_UNAVAILABLE']);
});

test('exists: not found is false (no saga); a transport failure is UNAVAILABLE, never "no saga"', async () => {
  const notFound = new WorkflowNotFoundError('gone', 'order-o-1', undefined);
  expect(await temporalSagaGateway(failingClient(notFound)).exists('o-1')).toBe(false);
  expect(
    await outcome(
      temporalSagaGateway(failingClient(new ServiceError('down')))
        .exists('o-1')
        .then(() => undefined),
    ),
  ).toEqual(['UNAVAILABLE', 'SAGA_UNAVAILABLE']);
});
