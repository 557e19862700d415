/**
 * The contract between the orders service (starts, cancels and queries sagas) and the saga
 * worker. Safe to import from workflow code and from Node code alike: definitions only.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** Task queue the saga worker polls. */
export const ORDER_SAGA_TASK_QUEUE = 'meshcart-order-saga';
/** Workflow type name. */
export const ORDER_SAGA_WORKFLOW = 'OrderSaga';
export { orderWorkflowId, orderIdOfWorkflowId } from './workflow-id';

export interface SagaMoney {
  currencyCode: string;
  /** Minor units as a decimal string (int64 safe; never a float). */
  amountMinor: string;
}

export interface SagaAddress {
  recipient: string;
  lines: string[];
  city: string;
  postalCode: string;
  countryCode: string;
}

/** Everything the saga needs; the worker never reads the orders database. */
export interface OrderSagaInput {
  orderId: string;
  userId: string;
  items: { sku: string; quantity: number }[];
  total: SagaMoney;
  shippingAddress: SagaAddress;
  /**
   * The vaulted card (PaymentService.VaultPaymentMethod, `pm_<uuid>`): payments resolves it to
   * the card token, so neither this input nor the saga's history carries the token.
   */
  paymentMethodId: string;
  /**
   * @deprecated Only in the inputs of sagas started before vaulting (recorded histories, sagas
   * still running during the upgrade): the card token itself. Never set by orders any more.
   */
  paymentToken?: string;
}

/** Saga steps in order; compensations run in reverse. */
export type SagaStep =
  | 'STARTED'
  | 'RESERVE_STOCK'
  | 'AUTHORIZE_PAYMENT'
  | 'CREATE_SHIPMENT'
  | 'CAPTURE_PAYMENT'
  | 'COMMIT_RESERVATION'
  | 'CONFIRMED'
  | 'COMPENSATING'
  | 'CANCELLED'
  | 'NEEDS_ATTENTION';

export interface SagaState {
  step: SagaStep;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'NEEDS_ATTENTION';
  cancellationReason?: string;
  cancelRequested: boolean;
  /** Payment and shipment status last recorded on the order (proto enum names). */
  paymentStatus?: string;
  shipmentStatus?: string;
  /** Compensations that could not finish within their budget (NEEDS_ATTENTION). */
  failedCompensations: { name: string; error: string }[];
}

/**
 * Durations the saga runs with (milliseconds). Optional second workflow argument: the orders
 * service starts the saga with `[input]` only, and the worker's configuration
 * (SAGA_CANCELLATION_WINDOW, SAGA_COMPENSATION_BUDGET, SAGA_AUTH_VALIDITY) applies; a value
 * given here wins (tests use tiny ones). The values used are recorded in the history.
 */
export interface OrderSagaOptions {
  /** How long a CONFIRMED order stays cancellable (default 24 h). */
  cancellationWindowMs: number;
  /** How long each compensation is retried before the order is NEEDS_ATTENTION (default 6 h). */
  compensationBudgetMs: number;
  /** How long an authorization stays capturable (default 7 d); past it the saga compensates. */
  authValidityMs: number;
}

/** Current step and status. */
export const sagaStateQuery = defineQuery<SagaState>('sagaState');

/**
 * Customer cancellation. Accepted until the shipment is dispatched (and, after confirmation,
 * within the cancellation window); rejected otherwise with an ApplicationFailure whose type
 * is the reason (ALREADY_DISPATCHED, CANCELLATION_WINDOW_CLOSED).
 */
export const cancelOrderUpdate = defineUpdate<SagaState, []>('cancelOrder');

/** Workflow type of an operator's retry of one failed compensation (ops/saga-admin.ts). */
export const RETRY_COMPENSATION_WORKFLOW = 'RetryCompensation';

/** The compensations a saga can report failed (SagaState.failedCompensations[].name). */
export const COMPENSATIONS = [
  'releaseReservation',
  'voidPayment',
  'cancelShipment',
  'returnReservation',
  'refundPayment',
  'commitReservation',
] as const;
export type CompensationName = (typeof COMPENSATIONS)[number];

export interface RetryCompensationInput {
  orderId: string;
  compensation: CompensationName;
  /** The order total (what a void or refund gives back), from the saga's input. */
  total: SagaMoney;
}

/**
 * One retry workflow per order and compensation: a second request while one runs is refused,
 * and a retry that succeeded is not repeated (ops/saga-admin.ts sets the reuse policy).
 * Not `order-...`: that prefix names the saga itself (orderIdOfWorkflowId).
 */
export const retryCompensationWorkflowId = (orderId: string, c: CompensationName): string =>
  `compensation-retry-${c}-${orderId}`;
