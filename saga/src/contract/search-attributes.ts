/**
 * The saga's typed search attributes: what support staff and operators filter sagas by in the
 * Web UI and through ListWorkflowExecutions ("this customer's stuck orders", "all sagas waiting
 * on payment"). The workflow upserts them as it moves (workflow/saga-visibility.ts); every
 * namespace the saga runs in must have them registered first (scripts/temporal.sh for the dev
 * server, `saga/src/ops/search-attributes.ts` - the chart's setup job - for a real cluster):
 * upserting an unregistered attribute fails the workflow task and stalls the saga.
 *
 * Sandbox-safe (definitions only); the names are part of the operators' interface (README
 * "Operating the saga"): renaming one orphans every saga indexed under the old name.
 */
import { defineSearchAttributeKey, type SearchAttributeType } from '@temporalio/common';

/** The customer (user id) who placed the order. */
export const CUSTOMER_ID = defineSearchAttributeKey('CustomerId', 'KEYWORD');
/** PENDING, CONFIRMED, CANCELLED or NEEDS_ATTENTION (SagaState.status). */
export const ORDER_STATUS = defineSearchAttributeKey('OrderStatus', 'KEYWORD');
/** The saga's current step (SagaStep: RESERVE_STOCK ... CONFIRMED, COMPENSATING, ...). */
export const SAGA_STEP = defineSearchAttributeKey('SagaStep', 'KEYWORD');
/** The payment status last recorded on the order (proto enum name, e.g. PAYMENT_STATUS_AUTHORIZED). */
export const PAYMENT_STATUS = defineSearchAttributeKey('PaymentStatus', 'KEYWORD');
/**
 * The order total in minor units (an INT: exact, comparable, `OrderTotalMinor > 10000`); the
 * currency says which minor unit.
 */
export const ORDER_TOTAL_MINOR = defineSearchAttributeKey('OrderTotalMinor', 'INT');
/** ISO 4217 code of the order total. */
export const ORDER_CURRENCY = defineSearchAttributeKey('OrderCurrency', 'KEYWORD');

/** Every attribute the saga writes, with its type: what a namespace must have registered. */
export const SAGA_SEARCH_ATTRIBUTES: readonly { name: string; type: SearchAttributeType }[] = [
  CUSTOMER_ID,
  ORDER_STATUS,
  SAGA_STEP,
  PAYMENT_STATUS,
  ORDER_TOTAL_MINOR,
  ORDER_CURRENCY,
].map((k) => ({ name: k.name, type: k.type }));

/** A visibility-query string literal: single-quoted, quotes and backslashes escaped. */
export const queryLiteral = (value: string): string =>
  `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Visibility queries over sagas (the Web UI's search box takes the same text). */
export const sagaQueries = {
  /** Every saga of one customer. */
  byCustomer: (customerId: string) =>
    `WorkflowType = 'OrderSaga' AND ${CUSTOMER_ID.name} = ${queryLiteral(customerId)}`,
  /** Every saga at one step (e.g. AUTHORIZE_PAYMENT: waiting on payment). */
  byStep: (step: string) =>
    `WorkflowType = 'OrderSaga' AND ${SAGA_STEP.name} = ${queryLiteral(step)}`,
  /** Sagas an operator has to look at (compensation failed). */
  needsAttention: () => `WorkflowType = 'OrderSaga' AND ${ORDER_STATUS.name} = 'NEEDS_ATTENTION'`,
} as const;
