/**
 * A counting semaphore with a bounded, time-limited wait queue around password hashing.
 *
 * Why: argon2id at m = 19 MiB holds 19 MiB per hash in flight and runs on the libuv pool (4
 * threads by default, shared with DNS and fs). Without a bound, a burst of fake logins queues
 * unbounded work: memory grows with the burst and every real login waits behind it. With the
 * gate, at most `concurrency` hashes run, at most `maxQueue` wait (FIFO), and none waits longer
 * than `maxWaitMs`: the rest are refused at once with RESOURCE_EXHAUSTED OVERLOADED and a retry
 * delay, which costs nothing and tells the edge to answer 503.
 */
import { ErrorReason, errors } from '@meshcart/kit';

export interface HashGateOptions {
  /** Hashes running at once. */
  concurrency: number;
  /** Callers allowed to wait for a slot; beyond it they are refused immediately. */
  maxQueue: number;
  /** Longest wait for a slot before the caller is refused. */
  maxWaitMs: number;
  /** Retry delay sent with the refusal. */
  retryDelayMs: number;
}

export interface HashGate {
  /** Runs `fn` holding a slot; throws RESOURCE_EXHAUSTED OVERLOADED when none comes in time. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Current use, for metrics and tests. */
  stats(): { running: number; waiting: number };
}

interface Waiter {
  grant(): void;
  timer: NodeJS.Timeout;
}

/** The refusal every overloaded hashing call gets (RetryInfo and ErrorInfo metadata carry the delay). */
export const overloaded = (retryDelayMs: number, why: string) =>
  errors.resourceExhausted(ErrorReason.ERROR_REASON_OVERLOADED, {
    message: 'password hashing is overloaded, retry later',
    metadata: { retryDelayMs: String(retryDelayMs), cause: why },
    retryDelayMs, // google.rpc.RetryInfo (the edge answers 503 + Retry-After)
  });

export function createHashGate(opts: HashGateOptions): HashGate {
  if (!(opts.concurrency >= 1)) throw new Error('hash gate concurrency must be >= 1');
  let running = 0;
  const queue: Waiter[] = [];

  const release = () => {
    const next = queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.grant(); // the slot passes straight to the next waiter: running stays the same
    } else running--;
  };

  const acquire = (): Promise<void> => {
    if (running < opts.concurrency) {
      running++;
      return Promise.resolve();
    }
    if (queue.length >= opts.maxQueue)
      return Promise.reject(overloaded(opts.retryDelayMs, 'queue_full'));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          reject(overloaded(opts.retryDelayMs, 'wait_timeout'));
        }, opts.maxWaitMs),
      };
      queue.push(waiter);
    });
  };

  return {
    async run(fn) {
      await acquire();
      try {
        return await fn();
      } finally {
        release();
      }
    },
    stats: () => ({ running, waiting: queue.length }),
  };
}
