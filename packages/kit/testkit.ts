/** @meshcart/kit/testkit: helpers for tests (servers on port 0, throwaway databases, Temporal, tokens). */
export * from './src/testkit/test-auth';
export * from './src/testkit/test-server';
export * from './src/testkit/test-temporal';
export * from './src/testkit/spawn-service';
export * from './src/testkit/telemetry';
