/**
 * Preload: `node --require tsx/cjs --require packages/kit/src/telemetry/register.ts <entry>`.
 * Starts OpenTelemetry from the OTEL_* environment before the entry point runs, which is the
 * only way the grpc-js instrumentation sees @grpc/grpc-js being required (CommonJS hook).
 * Invalid telemetry settings stop the process with exit code 2, like any configuration error.
 * Flushing happens on the shutdown path: onShutdownSignal and runMain call shutdownTelemetry().
 */
import { ConfigError } from '../config/load-config';
import { startTelemetry } from './sdk';
import { loadTelemetryConfig } from './telemetry-config';

try {
  startTelemetry(loadTelemetryConfig(process.env));
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`telemetry: ${err.message}\n`);
  process.exit(2);
}
