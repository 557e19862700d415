import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import type { RawUnary } from './create-client';

/** Serving status as the grpc.health.v1 enum names it. */
export type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

const HealthClient = makeGenericClientConstructor(
  healthService as unknown as ServiceDefinition,
  'Health',
);

/**
 * One grpc.health.v1 Check; rejects when the server cannot be reached in time. The default
 * deadline leaves room for a first connect on a busy machine; polling loops pass a short one.
 */
export function checkHealth(
  address: string,
  service = '',
  timeoutMs = 5_000,
): Promise<HealthStatus> {
  const client = new HealthClient(address, credentials.createInsecure());
  return new Promise<HealthStatus>((resolve, reject) => {
    const check = (client as unknown as Record<string, RawUnary>).check!;
    check.call(
      client,
      { service },
      new Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err, raw) => {
        const res = raw as { status: string | number } | undefined;
        client.close();
        if (err) return reject(err);
        const names = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;
        resolve(
          typeof res?.status === 'number'
            ? (names[res.status] ?? 'UNKNOWN')
            : ((res?.status ?? 'UNKNOWN') as HealthStatus),
        );
      },
    );
  });
}
