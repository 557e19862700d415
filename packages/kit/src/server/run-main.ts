import { ConfigError } from '../config/load-config';
import { shutdownTelemetry } from '../telemetry/handle';

/**
 * Entry point wrapper for process mains: configuration errors print one clear message
 * (no stack trace) and exit 2; anything else that escapes startup exits 1.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
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
