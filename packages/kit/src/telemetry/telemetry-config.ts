import path from 'node:path';
import { loadConfig, parse, v } from '../config/load-config';
import { localPort } from '../topology/topology';

/**
 * Prometheus port of a meshcart process when METRICS_PORT is unset: its metrics port in the
 * topology (helm/meshcart/files/topology.yaml; 9464+), 0 (none) for a process it does not list.
 * Never throws: telemetry must not stop a process.
 */
export function defaultMetricsPort(process: string): number {
  try {
    return localPort(process, 'metrics');
  } catch {
    return 0;
  }
}

const TRACE_EXPORTERS = ['otlp', 'console', 'file', 'none'] as const;
const METRIC_EXPORTERS = ['otlp', 'prometheus', 'console', 'file', 'none'] as const;
const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;

export type TraceExporterName = (typeof TRACE_EXPORTERS)[number];
export type MetricExporterName = (typeof METRIC_EXPORTERS)[number];
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** What the preload starts, decided from the standard OTEL_* variables (+ METRICS_PORT/HOST, MESHCART_OTEL_*). */
export interface TelemetryConfig {
  readonly disabled: boolean;
  readonly serviceName: string;
  /** Span exporters; empty = no tracer provider and no instrumentation (spans are never created). */
  readonly traces: readonly Exclude<TraceExporterName, 'none'>[];
  /** Push metric exporters (the Prometheus endpoint is `prometheus` below). */
  readonly metrics: readonly Exclude<MetricExporterName, 'none' | 'prometheus'>[];
  /** Pull endpoint, or undefined when off (METRICS_PORT=0, OTEL_METRICS_EXPORTER=none, no default port). */
  readonly prometheus: { host: string; port: number } | undefined;
  readonly tracesProtocol: OtlpProtocol;
  readonly metricsProtocol: OtlpProtocol;
  readonly spanFile: string;
  readonly metricFile: string;
  /** Push interval and timeout of the otlp/console/file metric exporters (ms). */
  readonly metricExportIntervalMs: number;
  readonly metricExportTimeoutMs: number;
}

const list =
  <T extends string>(values: readonly T[]) =>
  (raw: string): T[] => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const i of items) parse.oneOf(values)(i);
    return [...new Set(items)] as T[];
  };

/**
 * Reads the telemetry configuration. Defaults follow the OpenTelemetry spec with one deliberate
 * difference: OTLP is the default exporter only when an OTLP endpoint is configured, so a laptop
 * without a collector does not retry exports to localhost:4318 forever.
 */
export function loadTelemetryConfig(
  env: Record<string, string | undefined> = process.env,
): TelemetryConfig {
  const c = loadConfig(
    {
      disabled: v('OTEL_SDK_DISABLED', parse.bool(), { default: false }),
      serviceName: v('OTEL_SERVICE_NAME', parse.string({ max: 100 }), {
        default: env.SERVICE_NAME || 'unknown_service:node',
      }),
      traces: v<TraceExporterName[] | undefined>('OTEL_TRACES_EXPORTER', list(TRACE_EXPORTERS), {
        default: undefined,
      }),
      metrics: v<MetricExporterName[] | undefined>(
        'OTEL_METRICS_EXPORTER',
        list(METRIC_EXPORTERS),
        {
          default: undefined,
        },
      ),
      protocol: v<OtlpProtocol>('OTEL_EXPORTER_OTLP_PROTOCOL', parse.oneOf(OTLP_PROTOCOLS), {
        default: 'http/protobuf',
      }),
      tracesProtocol: v<OtlpProtocol | undefined>(
        'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
        parse.oneOf(OTLP_PROTOCOLS),
        {
          default: undefined,
        },
      ),
      metricsProtocol: v<OtlpProtocol | undefined>(
        'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
        parse.oneOf(OTLP_PROTOCOLS),
        {
          default: undefined,
        },
      ),
      metricsPort: v<number | undefined>('METRICS_PORT', parse.port(), { default: undefined }),
      metricsHost: v('METRICS_HOST', parse.string({ min: 1 }), { default: '0.0.0.0' }),
      spanFile: v<string | undefined>('MESHCART_OTEL_FILE', parse.string({ min: 1 }), {
        default: undefined,
      }),
      metricFile: v<string | undefined>('MESHCART_OTEL_METRICS_FILE', parse.string({ min: 1 }), {
        default: undefined,
      }),
      metricInterval: v<number>('OTEL_METRIC_EXPORT_INTERVAL', parse.int({ min: 100 }), {
        default: 60_000,
      }),
      metricTimeout: v<number>('OTEL_METRIC_EXPORT_TIMEOUT', parse.int({ min: 100 }), {
        default: 30_000,
      }),
    },
    env,
  );
  const hasEndpoint = (signal: 'TRACES' | 'METRICS') =>
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]);
  const traces = (c.traces ?? (hasEndpoint('TRACES') ? ['otlp'] : [])).filter(
    (e): e is Exclude<TraceExporterName, 'none'> => e !== 'none',
  );
  const metricNames = c.metrics ?? [
    'prometheus',
    ...(hasEndpoint('METRICS') ? ['otlp' as const] : []),
  ];
  const metricsOff = metricNames.includes('none');
  const port = c.metricsPort ?? defaultMetricsPort(c.serviceName);
  const base = path.resolve('.data', 'otel', c.serviceName.replace(/[^\w.-]/g, '_'));
  const spanFile = c.spanFile ?? `${base}.spans.jsonl`;
  return {
    disabled: c.disabled,
    serviceName: c.serviceName,
    traces: c.traces?.includes('none') ? [] : traces,
    metrics: metricsOff
      ? []
      : metricNames.filter(
          (e): e is 'otlp' | 'console' | 'file' => e !== 'prometheus' && e !== 'none',
        ),
    // A listed OTEL_METRICS_EXPORTER without `prometheus` still keeps the endpoint: it is
    // how the platform scrapes; only `none` or METRICS_PORT=0 switch it off.
    prometheus: metricsOff || port === 0 ? undefined : { host: c.metricsHost, port },
    tracesProtocol: c.tracesProtocol ?? c.protocol,
    metricsProtocol: c.metricsProtocol ?? c.protocol,
    spanFile,
    metricFile: c.metricFile ?? spanFile.replace(/(\.spans)?\.jsonl?$/, '') + '.metrics.jsonl',
    metricExportIntervalMs: c.metricInterval,
    metricExportTimeoutMs: Math.min(c.metricTimeout, c.metricInterval),
  };
}
