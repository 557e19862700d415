/**
 * An operator's retry of one compensation a saga reported failed (NEEDS_ATTENTION): runs it
 * again with the compensation budget, the same activity and idempotency key as the saga, so a
 * compensation that did land meanwhile is a harmless repeat. Started only through the operator
 * command (ops/saga-admin.ts), which checks the admin token and that the saga did report this
 * compensation failed. The order keeps its NEEDS_ATTENTION status (terminal in orders); the
 * outcome is this workflow's result, which the needs-attention listing shows next to the saga.
 */
import { log } from '@temporalio/workflow';
import type { RetryCompensationInput } from '../contract';
import { DEFAULT_SAGA_OPTIONS } from '../contract/defaults';
import { localSettings, withBudget } from './activity-options';
import { refundIdOf } from './forward-steps';

export async function RetryCompensation(input: RetryCompensationInput): Promise<string> {
  const { orderId, compensation, total } = input;
  const opts = { ...DEFAULT_SAGA_OPTIONS, ...(await localSettings().sagaSettings()) };
  const acts = withBudget(opts.compensationBudgetMs);
  const refund = { orderId, refundId: refundIdOf(orderId), amount: total };
  let outcome: string;
  switch (compensation) {
    case 'releaseReservation':
      outcome = await acts.releaseReservation(orderId);
      break;
    case 'returnReservation':
      outcome = await acts.returnReservation(orderId);
      break;
    case 'commitReservation':
      outcome = await acts.commitReservation(orderId);
      break;
    case 'cancelShipment':
      outcome = await acts.cancelShipment(orderId);
      break;
    case 'voidPayment':
      outcome = await acts.voidPayment(refund);
      break;
    case 'refundPayment':
      outcome = await acts.refundPayment(refund);
      break;
  }
  log.info('compensation retried', { order_id: orderId, compensation, outcome });
  return outcome;
}
