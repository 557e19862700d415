import { ConfigError } from '../config/load-config';
import { shutdownTelemetry } from '../telemetry/handle';
import { watchLifeline } from './lifeline';

/**
 * Entry point wrapper for process mains: configuration errors print one clear message
 * (no stack trace) and exit 2; anything else that escapes startup exits 1.
 *
 * It also watches the supervisor's lifeline (MESHCART_LIFELINE_FD) from the first instant: a
 * process still booting, a one-shot script (seed, `main.ts migrate`) exits 1 as soon as the
 * supervisor is gone. A server that installed onShutdownSignal replaces this with its bounded
 * shutdown (a fallback listener runs only when no other listener is registered).
 */
export function runMain(main: () => Promise<void>): void {
  const run = async () => {
    // Before main's first await, so a supervisor gone during boot is noticed too; a bad
    // MESHCART_LIFELINE_FD is a configuration error like any other.
    watchLifeline(
      (why) => {
        process.stderr.write(`supervisor gone (${why}): exiting\n`);
        void shutdownTelemetry(2_000).finally(() => process.exit(1));
      },
      { fallback: true },
    );
    await main();
  };
  run().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    // The spans leading up to the failure are the most useful ones: export them first.
    void shutdownTelemetry(2_000).finally(() => process.exit(1));
  });
}
