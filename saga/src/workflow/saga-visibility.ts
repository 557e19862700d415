/**
 * Keeps the saga's search attributes (contract/search-attributes.ts) in step with its state, so
 * operators can list sagas by customer, step, status, payment status and total.
 */
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { OrderSagaInput, SagaState } from '../contract';
import {
  CUSTOMER_ID,
  ORDER_CURRENCY,
  ORDER_STATUS,
  ORDER_TOTAL_MINOR,
  PAYMENT_STATUS,
  SAGA_STEP,
} from '../contract/search-attributes';

/**
 * Workflow patch: the saga upserts search attributes. Upserts are commands, so sagas started
 * before it replay without them. Decided once at the start (like progress-local-activity): a
 * marker written mid-task, after a local activity, did not replay.
 */
export const SEARCH_ATTRIBUTES_PATCH = 'search-attributes';

/** ORDER_STATUS_CONFIRMED (the order's proto name) and CONFIRMED (SagaState) index alike. */
const orderStatusName = (status: string) => status.replace(/^ORDER_STATUS_/, '');

export class SagaVisibility {
  private readonly enabled = patched(SEARCH_ATTRIBUTES_PATCH);
  private last: Record<string, string | undefined> = {};

  /** The attributes fixed for the saga's life, plus its first step and status. */
  started(input: OrderSagaInput, state: SagaState): void {
    if (!this.enabled) return;
    const total = Number(input.total.amountMinor);
    const pairs: SearchAttributeUpdatePair[] = [
      { key: CUSTOMER_ID, value: input.userId },
      { key: ORDER_CURRENCY, value: input.total.currencyCode },
      // INT is a 64-bit integer server-side; a total past 2^53 (never a real order) is left out
      // rather than indexed wrong.
      ...(Number.isSafeInteger(total) ? [{ key: ORDER_TOTAL_MINOR, value: total }] : []),
    ];
    upsertSearchAttributes([...pairs, ...this.changes(state.step, state.status, undefined)]);
  }

  /** Called with each progress record: upserts what changed (nothing when nothing did). */
  moved(step: string | undefined, status: string | undefined, paymentStatus?: string): void {
    if (!this.enabled) return;
    const pairs = this.changes(step, status && orderStatusName(status), paymentStatus);
    if (pairs.length > 0) upsertSearchAttributes(pairs);
  }

  private changes(step?: string, status?: string, payment?: string): SearchAttributeUpdatePair[] {
    const next = {
      [SAGA_STEP.name]: step,
      [ORDER_STATUS.name]: status,
      [PAYMENT_STATUS.name]: payment,
    };
    const keys = {
      [SAGA_STEP.name]: SAGA_STEP,
      [ORDER_STATUS.name]: ORDER_STATUS,
      [PAYMENT_STATUS.name]: PAYMENT_STATUS,
    };
    const pairs: SearchAttributeUpdatePair[] = [];
    for (const [name, value] of Object.entries(next)) {
      if (value === undefined || this.last[name] === value) continue;
      this.last[name] = value;
      pairs.push({ key: keys[name]!, value });
    }
    return pairs;
  }
}
