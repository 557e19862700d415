import { Client, Connection } from '@temporalio/client';
import { temporalConnectionOptions, type TemporalConnectionSettings } from '@meshcart/kit';
import { temporalClientInterceptors } from '@meshcart/kit/telemetry/temporal';
import { payloadDataConverter } from '@meshcart/saga/payload-codec';
import type { OrdersConfig } from '../config';
import type { SagaGateway } from './saga-gateway';
import { temporalSagaGateway } from './temporal-saga-gateway';

/**
 * The saga gateway over a Temporal client. The connection is lazy: the service serves reads
 * while Temporal is still coming up, and saga starts fail UNAVAILABLE meanwhile. The tracing
 * interceptor writes the caller's trace into the workflow headers, so the saga joins it.
 */
export function connectSagaGateway(
  config: Pick<OrdersConfig, 'temporalAddress' | 'temporalNamespace' | 'temporalTaskQueue'> &
    TemporalConnectionSettings,
  onShutdown: (name: string, run: () => Promise<void>) => void,
): SagaGateway {
  // TLS/mTLS and the API key from TEMPORAL_TLS_* / TEMPORAL_API_KEY (bad combinations exit 2).
  const connection = Connection.lazy(temporalConnectionOptions(config.temporalAddress, config));
  onShutdown('temporal connection', () => connection.close());
  const temporal = new Client({
    connection,
    namespace: config.temporalNamespace,
    interceptors: temporalClientInterceptors(),
    // TEMPORAL_PAYLOAD_KEYS: saga inputs (the shipping address) and results encrypted in history.
    dataConverter: payloadDataConverter(config),
  });
  return temporalSagaGateway(temporal, { taskQueue: config.temporalTaskQueue });
}
