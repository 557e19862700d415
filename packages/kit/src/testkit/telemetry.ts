import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SpanLine } from '../telemetry/file-exporters';

export type { SpanLine } from '../telemetry/file-exporters';

/** Spans written by OTEL_TRACES_EXPORTER=file: one file, or every *.jsonl in a directory. */
export function readSpanLines(fileOrDir: string): SpanLine[] {
  if (!existsSync(fileOrDir)) return [];
  const files = fileOrDir.endsWith('.jsonl')
    ? [fileOrDir]
    : readdirSync(fileOrDir)
        .filter((f) => f.endsWith('.spans.jsonl'))
        .map((f) => path.join(fileOrDir, f));
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as SpanLine),
  );
}

/** Polls `read` until `done` holds (span exporters and log pipes are asynchronous). */
export async function eventually<T>(
  read: () => T | Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One sample of the Prometheus text format. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (samples only; comments skipped). */
export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Samples named `name` whose labels include every `labels` pair. */
export function promSamples(
  samples: PromSample[],
  name: string,
  labels: Record<string, string> = {},
): PromSample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}
