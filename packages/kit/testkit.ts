/** @meshcart/kit/testkit: helpers for tests (service harness, servers on port 0, throwaway databases, DB faults, Temporal, tokens, TLS material and a TLS MariaDB). */
export * from './src/testkit/test-auth';
export * from './src/testkit/test-server';
export * from './src/testkit/test-temporal';
export * from './src/testkit/spawn-service';
export * from './src/testkit/telemetry';
export * from './src/testkit/service-harness';
export * from './src/testkit/db-faults';
export * from './src/testkit/test-pki';
export * from './src/testkit/tls-mariadb';
export * from './src/testkit/test-call-graph';
