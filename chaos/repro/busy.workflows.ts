/**
 * Workflow code for the focused reproducer (freeze-repro.ts): keeps the workflow thread busy
 * inside activations (each timer wake-up runs a few hundred promise reactions), so that a
 * freeze of the worker process is likely to land while workflow code is running in the vm.
 * Like the saga (forward-steps.ts, order-saga.workflow.ts) it works inside a cancellation
 * scope, which the SDK tracks with AsyncLocalStorage.
 */
import { CancellationScope, sleep } from '@temporalio/workflow';

export async function busyWorkflow(iterations: number): Promise<number> {
  return CancellationScope.nonCancellable(async () => {
    let sum = 0;
    for (let i = 0; i < iterations; i++) {
      await sleep(10);
      for (let j = 0; j < 300; j++) sum += await Promise.resolve(j);
    }
    return sum;
  });
}
