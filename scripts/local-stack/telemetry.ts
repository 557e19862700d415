import path from 'node:path';

/** The kit's telemetry preload: `node --require tsx/cjs --require <this> <entry>`. */
export const TELEMETRY_PRELOAD = path.resolve(
  __dirname,
  '../../packages/kit/src/telemetry/register.ts',
);

export interface StackTelemetry {
  /** Directory of the file exporters' output: `<process>.spans.jsonl`, `<process>.metrics.jsonl`. */
  dir: string;
  /**
   * Trace to those files unless the environment already chooses (OTEL_TRACES_EXPORTER or an OTLP
   * endpoint): what `npm start` does, so traces are there without any set-up.
   */
  tracesToFile?: boolean;
}

/**
 * Telemetry environment of one process. The standard OTEL_* variables of the caller's environment
 * pass through untouched (the supervisor inherits process.env); this adds what differs per
 * process: its service name, its Prometheus port (0 = none) and its own files.
 */
export function telemetryEnv(
  serviceName: string,
  metricsPort: number | undefined,
  t: StackTelemetry | undefined,
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const out: Record<string, string> = {
    OTEL_SERVICE_NAME: serviceName,
    METRICS_PORT: String(metricsPort ?? 0),
    METRICS_HOST: env.METRICS_HOST ?? '127.0.0.1',
  };
  if (!t) return out;
  if (!env.MESHCART_OTEL_FILE)
    out.MESHCART_OTEL_FILE = path.join(t.dir, `${serviceName}.spans.jsonl`);
  if (!env.MESHCART_OTEL_METRICS_FILE)
    out.MESHCART_OTEL_METRICS_FILE = path.join(t.dir, `${serviceName}.metrics.jsonl`);
  const chosen =
    env.OTEL_TRACES_EXPORTER ||
    env.OTEL_EXPORTER_OTLP_ENDPOINT ||
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (t.tracesToFile && !chosen) out.OTEL_TRACES_EXPORTER = 'file';
  return out;
}
