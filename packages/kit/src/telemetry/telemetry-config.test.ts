import path from 'node:path';
import { ConfigError } from '../config/load-config';
import { loadTelemetryConfig } from './telemetry-config';

test('with nothing set: no span export, Prometheus only on the service’s default port', () => {
  const c = loadTelemetryConfig({ OTEL_SERVICE_NAME: 'orders' });
  expect(c).toMatchObject({
    disabled: false,
    serviceName: 'orders',
    traces: [],
    metrics: [],
    prometheus: { host: '0.0.0.0', port: 9469 },
    tracesProtocol: 'http/protobuf',
  });
  expect(loadTelemetryConfig({ OTEL_SERVICE_NAME: 'saga-worker' }).prometheus?.port).toBe(9470);
  expect(loadTelemetryConfig({ OTEL_SERVICE_NAME: 'some-tool' }).prometheus).toBeUndefined();
});

test('an OTLP endpoint makes otlp the default exporter for traces and metrics (spec default)', () => {
  const c = loadTelemetryConfig({
    OTEL_SERVICE_NAME: 'users',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
  });
  expect(c).toMatchObject({
    traces: ['otlp'],
    metrics: ['otlp'],
    prometheus: { port: 9464 },
    tracesProtocol: 'grpc',
    metricsProtocol: 'http/json',
  });
});

test('explicit exporters, files and ports', () => {
  const c = loadTelemetryConfig({
    OTEL_SERVICE_NAME: 'catalog',
    OTEL_TRACES_EXPORTER: 'file, console',
    OTEL_METRICS_EXPORTER: 'file',
    MESHCART_OTEL_FILE: '/tmp/x/catalog.spans.jsonl',
    METRICS_PORT: '19000',
    METRICS_HOST: '127.0.0.1',
  });
  expect(c).toMatchObject({
    traces: ['file', 'console'],
    metrics: ['file'],
    spanFile: '/tmp/x/catalog.spans.jsonl',
    metricFile: '/tmp/x/catalog.metrics.jsonl',
    // The scrape endpoint stays: only `none` or METRICS_PORT=0 remove it.
    prometheus: { host: '127.0.0.1', port: 19000 },
  });
  expect(
    loadTelemetryConfig({ OTEL_SERVICE_NAME: 'edge x', OTEL_TRACES_EXPORTER: 'file' }).spanFile,
  ).toBe(path.resolve('.data/otel/edge_x.spans.jsonl'));
});

test('none and METRICS_PORT=0 switch things off; OTEL_SDK_DISABLED is reported', () => {
  expect(
    loadTelemetryConfig({
      OTEL_SERVICE_NAME: 'orders',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
    }),
  ).toMatchObject({ traces: [], metrics: [], prometheus: undefined });
  expect(
    loadTelemetryConfig({ OTEL_SERVICE_NAME: 'orders', METRICS_PORT: '0' }).prometheus,
  ).toBeUndefined();
  expect(loadTelemetryConfig({ OTEL_SDK_DISABLED: 'true' }).disabled).toBe(true);
});

test('invalid values fail with every variable named', () => {
  let err: unknown;
  try {
    loadTelemetryConfig({
      OTEL_TRACES_EXPORTER: 'jaeger',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'udp',
      METRICS_PORT: 'ninety',
    });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems.map((p) => p.split(' ')[0])).toEqual([
    'OTEL_TRACES_EXPORTER',
    'OTEL_EXPORTER_OTLP_PROTOCOL',
    'METRICS_PORT',
  ]);
});
