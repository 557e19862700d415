import { status } from '@grpc/grpc-js';
import { DomainError } from '@meshcart/kit';
import { createHashGate } from './hash-gate';

/** A task that finishes when its `finish` is called. */
function controllable() {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return { finish, fn: () => done };
}

const refusal = async (p: Promise<unknown>): Promise<DomainError> => {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
};

test('at most `concurrency` run; waiters run in order as slots free up', async () => {
  const gate = createHashGate({
    concurrency: 2,
    maxQueue: 5,
    maxWaitMs: 5_000,
    retryDelayMs: 1_000,
  });
  const tasks = Array.from({ length: 4 }, controllable);
  const order: number[] = [];
  const runs = tasks.map((t, i) => gate.run(() => (order.push(i), t.fn())));
  await Promise.resolve();
  expect(order).toEqual([0, 1]);
  expect(gate.stats()).toEqual({ running: 2, waiting: 2 });
  tasks[1]!.finish();
  await runs[1];
  await new Promise((r) => setImmediate(r));
  expect(order).toEqual([0, 1, 2]);
  expect(gate.stats()).toEqual({ running: 2, waiting: 1 });
  for (const t of tasks) t.finish();
  await Promise.all(runs);
  expect(order).toEqual([0, 1, 2, 3]);
  expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
});

test('a full queue refuses at once with RESOURCE_EXHAUSTED OVERLOADED and a retry delay', async () => {
  const gate = createHashGate({ concurrency: 1, maxQueue: 1, maxWaitMs: 5_000, retryDelayMs: 750 });
  const t = controllable();
  const holder = gate.run(t.fn);
  const waiter = gate.run(async () => 'ran');
  let ran = false;
  const e = await refusal(gate.run(async () => (ran = true)));
  expect([e.code, e.reason, e.metadata]).toEqual([
    status.RESOURCE_EXHAUSTED,
    'OVERLOADED',
    { retryDelayMs: '750', cause: 'queue_full' },
  ]);
  expect(ran).toBe(false);
  t.finish();
  await holder;
  await expect(waiter).resolves.toBe('ran');
});

test('a waiter that waits longer than maxWaitMs is refused and leaves the queue', async () => {
  const gate = createHashGate({ concurrency: 1, maxQueue: 4, maxWaitMs: 30, retryDelayMs: 1_000 });
  const t = controllable();
  const holder = gate.run(t.fn);
  const e = await refusal(gate.run(async () => 'late'));
  expect([e.code, e.reason, e.metadata.cause]).toEqual([
    status.RESOURCE_EXHAUSTED,
    'OVERLOADED',
    'wait_timeout',
  ]);
  expect(gate.stats()).toEqual({ running: 1, waiting: 0 });
  t.finish();
  await holder;
  await expect(gate.run(async () => 'again')).resolves.toBe('again');
});

test('a failing task releases its slot', async () => {
  const gate = createHashGate({ concurrency: 1, maxQueue: 0, maxWaitMs: 10, retryDelayMs: 1_000 });
  await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  await expect(gate.run(async () => 1)).resolves.toBe(1);
  expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
});
