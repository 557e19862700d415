/**
 * Starts the OpenTelemetry SDK for Node from a TelemetryConfig: grpc-js and Prisma
 * instrumentation (only when spans are exported), span exporters (otlp/console/file), metric
 * readers (Prometheus endpoint + otlp/console/file pushes). Loaded by register.ts before the application, so the grpc-js
 * instrumentation hook is in place before anything requires @grpc/grpc-js.
 */
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  ConsoleMetricExporter,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { FileMetricExporter, FileSpanExporter } from './file-exporters';
import { setTelemetryHandle, telemetryHandle, type TelemetryHandle } from './handle';
import type { OtlpProtocol, TelemetryConfig } from './telemetry-config';
import { workflowCorrelations } from './correlation';

/** gRPC methods never traced: probes and tooling would drown the real traffic. */
const UNTRACED_GRPC_METHODS = ['Check', 'Watch', 'ServerReflectionInfo'];

/** The instrumentations every meshcart Node process gets. */
export function createInstrumentations(): Instrumentation[] {
  return [
    new GrpcInstrumentation({ ignoreGrpcMethods: UNTRACED_GRPC_METHODS }),
    // Per Prisma operation: `prisma:client:operation`, its query compilation, connection and
    // transaction spans, and one `prisma:client:db_query` per SQL statement (db.query.text with
    // placeholders, never values). Serialization spans are sub-millisecond noise.
    new PrismaInstrumentation({
      ignoreSpanTypes: ['prisma:client:serialize'],
    }) as unknown as Instrumentation,
  ];
}

/*
 * OTLP exporters are required lazily: only the configured protocol is loaded, and the grpc
 * one (which loads @grpc/grpc-js) only after the grpc-js instrumentation is installed.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
function otlpSpanExporter(protocol: OtlpProtocol): SpanExporter {
  if (protocol === 'grpc')
    return new (
      require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc')
    ).OTLPTraceExporter();
  if (protocol === 'http/json')
    return new (
      require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')
    ).OTLPTraceExporter();
  return new (
    require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto')
  ).OTLPTraceExporter();
}

function otlpMetricExporter(protocol: OtlpProtocol): PushMetricExporter {
  if (protocol === 'grpc')
    return new (
      require('@opentelemetry/exporter-metrics-otlp-grpc') as typeof import('@opentelemetry/exporter-metrics-otlp-grpc')
    ).OTLPMetricExporter();
  if (protocol === 'http/json')
    return new (
      require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http')
    ).OTLPMetricExporter();
  return new (
    require('@opentelemetry/exporter-metrics-otlp-proto') as typeof import('@opentelemetry/exporter-metrics-otlp-proto')
  ).OTLPMetricExporter();
}
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Adds the declared correlations' attributes (correlation.ts) to spans that carry Temporal's
 * `temporalWorkflowId` attribute (StartWorkflow / RunActivity spans), just before they end.
 */
class CorrelationFromWorkflowId implements SpanProcessor {
  onStart(): void {}
  onEnding(span: Span): void {
    const ids = workflowCorrelations(span.attributes.temporalWorkflowId, 'spanAttribute');
    for (const [attr, id] of Object.entries(ids))
      if (span.attributes[attr] === undefined) span.setAttribute(attr, id);
  }
  onEnd(): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

function spanProcessors(config: TelemetryConfig): SpanProcessor[] {
  const exporters = config.traces.map((name) => {
    if (name === 'otlp') return new BatchSpanProcessor(otlpSpanExporter(config.tracesProtocol));
    // console/file write at once: local debugging wants every span, even from a crash.
    if (name === 'console') return new SimpleSpanProcessor(new ConsoleSpanExporter());
    return new SimpleSpanProcessor(new FileSpanExporter(config.spanFile));
  });
  return exporters.length > 0 ? [new CorrelationFromWorkflowId(), ...exporters] : [];
}

function metricReaders(config: TelemetryConfig): IMetricReader[] {
  const periodic = (exporter: PushMetricExporter) =>
    new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: config.metricExportIntervalMs,
      exportTimeoutMillis: config.metricExportTimeoutMs,
    });
  const readers: IMetricReader[] = config.metrics.map((name) =>
    periodic(
      name === 'otlp'
        ? otlpMetricExporter(config.metricsProtocol)
        : name === 'console'
          ? new ConsoleMetricExporter()
          : new FileMetricExporter(config.metricFile),
    ),
  );
  if (config.prometheus) {
    const { host, port } = config.prometheus;
    readers.push(
      new PrometheusExporter({ host, port, withoutScopeInfo: true }, (err) => {
        // The service keeps running without its endpoint; say so loudly, once.
        if (err)
          process.stderr.write(
            `${JSON.stringify({ level: 'error', service: config.serviceName, msg: 'metrics endpoint failed to start', host, port, err: String(err) })}\n`,
          );
      }),
    );
  }
  return readers;
}

function buildResource(serviceName: string): Resource {
  const detected = detectResources({ detectors: [envDetector, hostDetector, processDetector] });
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'meshcart' }))
    .merge(detected);
}

/**
 * Starts the SDK once per process and publishes its handle (see handle.ts); returns the
 * running handle when one exists, undefined when telemetry is disabled.
 */
export function startTelemetry(config: TelemetryConfig): TelemetryHandle | undefined {
  if (config.disabled) return undefined;
  const running = telemetryHandle();
  if (running) return running;
  // Instrumentations only produce spans: without a span exporter there is no tracer provider,
  // and they would still wrap every RPC and query in a non-recording span and an
  // AsyncLocalStorage context (measured: bench/micro/kit-unary.ts). The caller's trace id still
  // reaches logs and downstream calls without them (kit unary wrapper and client).
  const tracing = config.traces.length > 0;
  // First: hooks before any exporter loads grpc-js.
  const instrumentations = tracing ? createInstrumentations() : [];
  const resource = buildResource(config.serviceName);
  const processors = spanProcessors(config);
  const readers = metricReaders(config);
  const sdk = new NodeSDK({
    autoDetectResources: false,
    resource,
    instrumentations,
    spanProcessors: processors,
    metricReaders: readers,
    // Logs stay JSON lines on stdout (with trace ids); no OTel log pipeline.
    logRecordProcessors: [],
  });
  sdk.start();
  const handle: TelemetryHandle = {
    config,
    resource,
    spanProcessors: processors,
    flush: async () => {
      await Promise.all([
        ...processors.map((p) => p.forceFlush()),
        ...readers.map((r) => r.forceFlush()),
      ]);
    },
    shutdown: () => sdk.shutdown(),
  };
  setTelemetryHandle(handle);
  return handle;
}
