import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { describeTemporalConnection, type TemporalConnectionOptions } from '@meshcart/kit';

/**
 * Connects to Temporal, retrying with capped exponential backoff (1 s doubling to 30 s) for as
 * long as it takes: a worker started before Temporal is reachable waits and says so in its
 * logs instead of crash-looping. Resolves undefined when `signal` aborts (shutdown meanwhile).
 */
export async function connectWithRetry(opts: {
  /** address, TLS and API key (temporalConnectionOptions). */
  connection: TemporalConnectionOptions;
  logger: Logger;
  signal: AbortSignal;
  initialDelayMs?: number;
  maxDelayMs?: number;
}): Promise<NativeConnection | undefined> {
  let delay = opts.initialDelayMs ?? 1_000;
  for (let attempt = 1; !opts.signal.aborted; attempt += 1) {
    try {
      const connection = await NativeConnection.connect(opts.connection);
      opts.logger.info(
        { ...describeTemporalConnection(opts.connection), attempt },
        'connected to Temporal',
      );
      return connection;
    } catch (err) {
      opts.logger.warn(
        {
          address: opts.connection.address,
          attempt,
          retryInMs: delay,
          err: (err as Error).message,
        },
        'Temporal not reachable yet; retrying',
      );
    }
    await abortableSleep(delay, opts.signal);
    delay = Math.min(delay * 2, opts.maxDelayMs ?? 30_000);
  }
  return undefined;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
