/**
 * RED metrics per RPC, recorded through @opentelemetry/api (no-ops until an SDK is started).
 * Names and labels follow the OpenTelemetry RPC conventions: rpc.system, rpc.service,
 * rpc.method, rpc.grpc.status_code; durations in milliseconds.
 */
import {
  metrics,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
} from '@opentelemetry/api';

export const METER_NAME = '@meshcart/kit';

/** Splits `/shop.catalog.v1.CatalogService/GetProduct` into service and method. */
export function rpcLabels(path: string): {
  'rpc.system': 'grpc';
  'rpc.service': string;
  'rpc.method': string;
} {
  const [, service = 'unknown', method = 'unknown'] = /^\/?([^/]+)\/([^/]+)$/.exec(path) ?? [];
  return { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method };
}

interface RpcInstruments {
  duration: Histogram;
  calls: Counter;
}

/**
 * Instruments are created on first use from the meter provider registered at that time: the API
 * has no proxy meter, so creating them at import time (before the preload registered the SDK
 * in some test set-ups) would bind them to the no-op provider forever.
 */
function lazyInstruments(side: 'server' | 'client'): () => RpcInstruments {
  let cached: { provider: unknown; instruments: RpcInstruments } | undefined;
  return () => {
    const provider = metrics.getMeterProvider();
    if (cached?.provider !== provider) {
      const meter: Meter = provider.getMeter(METER_NAME);
      cached = {
        provider,
        instruments: {
          duration: meter.createHistogram(`rpc.${side}.duration`, {
            unit: 'ms',
            description: `Duration of ${side === 'server' ? 'inbound' : 'outbound'} unary gRPC calls`,
          }),
          calls: meter.createCounter(`rpc.${side}.requests`, {
            description: `${side === 'server' ? 'Inbound' : 'Outbound'} unary gRPC calls, by method and status code`,
          }),
        },
      };
    }
    return cached.instruments;
  };
}

const server = lazyInstruments('server');
const client = lazyInstruments('client');

/** Records one finished call (count + duration, labelled by method and status code). */
export function recordRpc(
  side: 'server' | 'client',
  path: string,
  code: number,
  durationMs: number,
): void {
  const attrs = { ...rpcLabels(path), 'rpc.grpc.status_code': code };
  const i = side === 'server' ? server() : client();
  i.duration.record(durationMs, attrs);
  i.calls.add(1, attrs);
}

/**
 * recordRpc for one method, with its labels worked out once: the label set of each status code
 * is built on first use and reused (no parsing or allocation per call).
 */
export function rpcRecorder(
  side: 'server' | 'client',
  path: string,
): (code: number, durationMs: number) => void {
  const labels = rpcLabels(path);
  const byCode: Attributes[] = [];
  const instruments = side === 'server' ? server : client;
  return (code, durationMs) => {
    const attrs = (byCode[code] ??= { ...labels, 'rpc.grpc.status_code': code });
    const i = instruments();
    i.duration.record(durationMs, attrs);
    i.calls.add(1, attrs);
  };
}
