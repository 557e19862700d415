/**
 * The saga with a deliberate non-deterministic change (a timer before its first step): what a
 * careless edit of order-saga.workflow.ts looks like to a saga already running. The replay gate
 * test checks that the gate refuses it.
 */
import { sleep } from '@temporalio/workflow';
import { OrderSaga as current } from '../../src/workflow/order-saga.workflow';

export async function OrderSaga(...args: Parameters<typeof current>): ReturnType<typeof current> {
  await sleep(1);
  return current(...args);
}
