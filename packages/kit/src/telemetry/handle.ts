/**
 * The running telemetry SDK, if any, shared through a global symbol so every copy of the kit
 * in the process (tsx, bundles) sees the one the preload started. Type-only imports: code
 * that merely flushes (shutdown paths) never loads the SDK.
 */
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TelemetryConfig } from './telemetry-config';

export interface TelemetryHandle {
  readonly config: TelemetryConfig;
  readonly resource: Resource;
  /** Processors of the tracer provider (Temporal workflow spans are handed to them). */
  readonly spanProcessors: readonly SpanProcessor[];
  /** Exports everything buffered (spans, and a last metrics push). */
  flush(): Promise<void>;
  /** Flushes, then stops exporters and the Prometheus endpoint. */
  shutdown(): Promise<void>;
}

const KEY = Symbol.for('meshcart.telemetry');
type Holder = { [KEY]?: TelemetryHandle };

/** The SDK the preload started, or undefined (OTEL_SDK_DISABLED, tests in jest, no preload). */
export function telemetryHandle(): TelemetryHandle | undefined {
  return (globalThis as Holder)[KEY];
}

export function setTelemetryHandle(h: TelemetryHandle | undefined): void {
  (globalThis as Holder)[KEY] = h;
}

/**
 * Flushes and stops telemetry, waiting at most `timeoutMs` (an unreachable collector must not
 * hold a shutdown hostage). A no-op when no SDK runs; safe to call twice.
 */
export async function shutdownTelemetry(timeoutMs = 5_000): Promise<void> {
  const h = telemetryHandle();
  if (!h) return;
  setTelemetryHandle(undefined);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    h.shutdown().catch((err: unknown) => {
      process.stderr.write(`telemetry shutdown failed: ${String(err)}\n`);
    }),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs).unref())),
  ]);
  clearTimeout(timer);
}
