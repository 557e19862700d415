/**
 * Operator actions on sagas: list the NEEDS_ATTENTION ones with their failed compensations,
 * retry one failed compensation, cancel a running saga with a reason. Always through the saga's
 * own workflows (a RetryCompensation run, a cancellation request the saga compensates for),
 * never by terminating a workflow: a terminated saga leaves stock reserved and money held.
 * Every action names the operator (the admin token's subject) in the request's identity, so
 * the Web UI's history shows who did what. Authorization is ops/operator-auth.ts.
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import {
  COMPENSATIONS,
  RETRY_COMPENSATION_WORKFLOW,
  orderIdOfWorkflowId,
  orderWorkflowId,
  retryCompensationWorkflowId,
  type CompensationName,
  type OrderSagaInput,
  type RetryCompensationInput,
  type SagaState,
} from '../contract';
import { CUSTOMER_ID, sagaQueries } from '../contract/search-attributes';

/** A refusal the command reports as such (exit code 3), not a crash. */
export class OperatorError extends Error {
  constructor(
    readonly reason: 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'INVALID_ARGUMENT',
    message: string,
  ) {
    super(message);
    this.name = 'OperatorError';
  }
}

export interface NeedsAttentionSaga {
  orderId: string;
  workflowId: string;
  runId: string;
  customerId?: string;
  failedCompensations: { name: string; error: string; retry?: string }[];
}

/** NEEDS_ATTENTION sagas (the visibility query), each with its failed compensations and retries. */
export async function listNeedsAttention(
  client: Client,
  limit = 100,
): Promise<NeedsAttentionSaga[]> {
  const out: NeedsAttentionSaga[] = [];
  for await (const wf of client.workflow.list({ query: sagaQueries.needsAttention() })) {
    const orderId = orderIdOfWorkflowId(wf.workflowId);
    if (!orderId) continue;
    const state = await sagaStateOf(client, wf.workflowId, wf.runId);
    const failed = [];
    for (const f of state.failedCompensations) {
      const retry = isCompensation(f.name) ? await retryStatus(client, orderId, f.name) : undefined;
      failed.push({ ...f, ...(retry ? { retry } : {}) });
    }
    const customer = wf.typedSearchAttributes.get(CUSTOMER_ID);
    out.push({
      orderId,
      workflowId: wf.workflowId,
      runId: wf.runId,
      ...(customer ? { customerId: customer } : {}),
      failedCompensations: failed,
    });
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Starts a RetryCompensation of `compensation` for the order's saga and waits for its outcome.
 * Refused unless the saga is NEEDS_ATTENTION with that compensation failed; a retry of it
 * already running, or one that already succeeded, is refused too (FAILED_PRECONDITION).
 */
export async function retryCompensation(
  client: Client,
  req: { orderId: string; compensation: string; operator: string },
): Promise<{ workflowId: string; outcome: string }> {
  if (!isCompensation(req.compensation))
    throw new OperatorError(
      'INVALID_ARGUMENT',
      `unknown compensation ${req.compensation} (one of ${COMPENSATIONS.join(', ')})`,
    );
  const sagaId = orderWorkflowId(req.orderId);
  const saga = await describeSaga(client, sagaId);
  const state = await sagaStateOf(client, sagaId, saga.runId);
  if (state.status !== 'NEEDS_ATTENTION')
    throw new OperatorError(
      'FAILED_PRECONDITION',
      `saga ${sagaId} is ${state.status}, not NEEDS_ATTENTION`,
    );
  if (!state.failedCompensations.some((f) => f.name === req.compensation))
    throw new OperatorError(
      'FAILED_PRECONDITION',
      `saga ${sagaId} did not report ${req.compensation} failed`,
    );
  const input = await sagaInputOf(client, sagaId, saga.runId);
  const workflowId = retryCompensationWorkflowId(req.orderId, req.compensation);
  const args: [RetryCompensationInput] = [
    { orderId: req.orderId, compensation: req.compensation, total: input.total },
  ];
  let handle;
  try {
    handle = await client.workflow.start(RETRY_COMPENSATION_WORKFLOW, {
      workflowId,
      taskQueue: saga.taskQueue,
      args,
      // A failed retry may be retried again; a successful one is done for good.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      memo: { operator: req.operator },
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw new OperatorError(
        'FAILED_PRECONDITION',
        `a retry of ${req.compensation} for order ${req.orderId} is running or already succeeded`,
      );
    throw err;
  }
  const outcome = (await handle.result()) as string;
  return { workflowId, outcome };
}

/**
 * Asks a running saga to stop: a cancellation request carrying the operator's reason (shown in
 * the saga's history), which the saga answers like any stop - compensations in reverse, the
 * order CANCELLED (SAGA_CANCELLED) or, past the shipment's dispatch, completed. Refused for a
 * saga that has already finished.
 */
export async function cancelSaga(
  client: Client,
  req: { orderId: string; reason: string; operator: string },
): Promise<void> {
  const reason = req.reason.trim();
  if (!reason) throw new OperatorError('INVALID_ARGUMENT', 'a reason is required');
  const workflowId = orderWorkflowId(req.orderId);
  const saga = await describeSaga(client, workflowId);
  if (saga.status.name !== 'RUNNING')
    throw new OperatorError(
      'FAILED_PRECONDITION',
      `saga ${workflowId} is ${saga.status.name}, not RUNNING`,
    );
  await client.workflowService.requestCancelWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId, runId: saga.runId },
    identity: `operator:${req.operator}`,
    requestId: randomUUID(),
    reason: reason.slice(0, 1000),
  });
}

const isCompensation = (name: string): name is CompensationName =>
  (COMPENSATIONS as readonly string[]).includes(name);

async function describeSaga(client: Client, workflowId: string) {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new OperatorError('NOT_FOUND', `no saga ${workflowId}`);
    throw err;
  }
}

/** The saga's state: its result once closed (no worker needed), its query while running. */
async function sagaStateOf(client: Client, workflowId: string, runId: string): Promise<SagaState> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const { status } = await handle.describe();
  if (status.name === 'RUNNING') return handle.query<SagaState>('sagaState');
  if (status.name !== 'COMPLETED')
    throw new OperatorError(
      'FAILED_PRECONDITION',
      `saga ${workflowId} ended ${status.name}: no state to act on`,
    );
  return (await handle.result()) as SagaState;
}

/** The saga's input (first history event), decoded with the client's payload codec. */
async function sagaInputOf(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<OrderSagaInput> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  const input = await decodeFromPayloadsAtIndex<OrderSagaInput>(
    client.options.loadedDataConverter,
    0,
    payloads,
  );
  if (!input?.total) throw new Error(`saga ${workflowId}: no input in its history`);
  return input;
}

async function retryStatus(client: Client, orderId: string, c: CompensationName) {
  try {
    const d = await client.workflow.getHandle(retryCompensationWorkflowId(orderId, c)).describe();
    return d.status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
