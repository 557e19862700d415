import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { SpanKind, SpanStatusCode, type Attributes, type HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  DataPointType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/**
 * One span as one JSON line: the format of OTEL_TRACES_EXPORTER=file, written identically by
 * the Go edge (gateway/internal/edge/telemetry_file.go) so one `cat *.jsonl | jq` covers a trace.
 */
export interface SpanLine {
  traceId: string;
  spanId: string;
  /** Absent on a root span. */
  parentSpanId?: string;
  name: string;
  kind: 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  service: string;
  scope: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  durationMs: number;
  status: { code: 'UNSET' | 'OK' | 'ERROR'; message?: string };
  attributes: Attributes;
  events?: { name: string; timeUnixNano: string; attributes?: Attributes }[];
  links?: { traceId: string; spanId: string }[];
}

const nanos = (t: HrTime): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

/**
 * Converts a finished span (SDK 2.x shape; the 1.x shape Temporal's workflow sink produces, with
 * `parentSpanId` and `instrumentationLibrary`, is accepted too).
 */
export function toSpanLine(span: ReadableSpan): SpanLine {
  const legacy = span as ReadableSpan & {
    parentSpanId?: string;
    instrumentationLibrary?: { name: string };
  };
  const ctx = span.spanContext();
  const start = nanos(span.startTime);
  const end = nanos(span.endTime);
  const parent = span.parentSpanContext?.spanId ?? legacy.parentSpanId;
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name: span.name,
    kind: (SpanKind[span.kind] ?? 'INTERNAL') as SpanLine['kind'],
    service: String(span.resource?.attributes['service.name'] ?? ''),
    scope: (span.instrumentationScope ?? legacy.instrumentationLibrary)?.name ?? '',
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    durationMs: Number(end - start) / 1e6,
    status: {
      code: (SpanStatusCode[span.status.code] ?? 'UNSET') as SpanLine['status']['code'],
      ...(span.status.message ? { message: span.status.message } : {}),
    },
    attributes: span.attributes,
    ...(span.events.length > 0
      ? {
          events: span.events.map((e) => ({
            name: e.name,
            timeUnixNano: nanos(e.time).toString(),
            ...(e.attributes ? { attributes: e.attributes } : {}),
          })),
        }
      : {}),
    ...(span.links.length > 0
      ? {
          links: span.links.map((l) => ({
            traceId: l.context.traceId,
            spanId: l.context.spanId,
          })),
        }
      : {}),
  };
}

function appender(file: string): (text: string) => void {
  let ready = false;
  return (text) => {
    if (!ready) {
      mkdirSync(path.dirname(file), { recursive: true });
      ready = true;
    }
    // One synchronous append per batch: lines from several processes sharing a file never
    // interleave (O_APPEND), and nothing is lost when the process exits right after.
    appendFileSync(file, text);
  };
}

/** OTEL_TRACES_EXPORTER=file: appends one JSON line per span to MESHCART_OTEL_FILE. */
export class FileSpanExporter implements SpanExporter {
  private readonly write: (text: string) => void;
  private stopped = false;

  constructor(readonly file: string) {
    this.write = appender(file);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.stopped) return done({ code: ExportResultCode.FAILED });
    try {
      this.write(spans.map((s) => JSON.stringify(toSpanLine(s)) + '\n').join(''));
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
  }

  async forceFlush(): Promise<void> {}
}

/** OTEL_METRICS_EXPORTER=file: appends one JSON line per collection to MESHCART_OTEL_METRICS_FILE. */
export class FileMetricExporter implements PushMetricExporter {
  private readonly write: (text: string) => void;

  constructor(readonly file: string) {
    this.write = appender(file);
  }

  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    try {
      const out = metrics.scopeMetrics.flatMap((sm) =>
        sm.metrics.map((m) => ({
          name: m.descriptor.name,
          unit: m.descriptor.unit,
          type: DataPointType[m.dataPointType],
          points: m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })),
        })),
      );
      const line = {
        time: new Date().toISOString(),
        service: metrics.resource.attributes['service.name'],
        metrics: out,
      };
      this.write(JSON.stringify(line) + '\n');
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
