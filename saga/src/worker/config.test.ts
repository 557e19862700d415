/** Worker configuration: defaults, durations, the health port fallbacks, fail-fast errors. */
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError } from '@meshcart/kit';
import { ORDER_SAGA_TASK_QUEUE } from '../contract';
import { deploymentOf, healthPortOf, loadWorkerConfig } from './config';

const required = {
  JWT_ISSUER: 'meshcart',
  JWT_AUDIENCE: 'meshcart',
  JWT_PRIVATE_KEY: String(
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
  ),
  JWT_PUBLIC_KEYS: '{"keys":[]}',
};

test('defaults: local addresses, the contract task queue, 24 h / 6 h / 7 d, health on 50060', () => {
  const c = loadWorkerConfig(required);
  expect(c).toMatchObject({
    temporalAddress: '127.0.0.1:7233',
    temporalNamespace: 'default',
    taskQueue: ORDER_SAGA_TASK_QUEUE,
    inventoryAddr: '127.0.0.1:50053',
    ordersAddr: '127.0.0.1:50056',
    cancellationWindowMs: 24 * 3_600_000,
    compensationBudgetMs: 6 * 3_600_000,
    authValidityMs: 7 * 86_400_000,
    maxConcurrentActivities: 50,
    maxConcurrentWorkflowTasks: 20,
  });
  expect(healthPortOf(c)).toBe(50060);
  expect(Object.isFrozen(c)).toBe(true);
});

test('durations and the health port: WORKER_HEALTH_PORT wins over GRPC_PORT (the chart sets GRPC_PORT)', () => {
  const c = loadWorkerConfig({
    ...required,
    SAGA_CANCELLATION_WINDOW: '30m',
    SAGA_COMPENSATION_BUDGET: '1h',
    SAGA_AUTH_VALIDITY: '5d',
    GRPC_PORT: '50070',
  });
  expect([c.cancellationWindowMs, c.compensationBudgetMs, c.authValidityMs]).toEqual([
    1_800_000,
    3_600_000,
    5 * 86_400_000,
  ]);
  expect(healthPortOf(c)).toBe(50070);
  expect(
    healthPortOf(
      loadWorkerConfig({ ...required, GRPC_PORT: '50070', WORKER_HEALTH_PORT: '50061' }),
    ),
  ).toBe(50061);
});

test('every problem at once, secrets never echoed', () => {
  let err: unknown;
  try {
    loadWorkerConfig({
      JWT_PRIVATE_KEY: 'not-a-pem-secret',
      SAGA_COMPENSATION_BUDGET: '0',
      TEMPORAL_ADDRESS: 'nope',
    });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  const text = (err as ConfigError).problems.join('\n');
  for (const name of [
    'JWT_ISSUER',
    'JWT_AUDIENCE',
    'JWT_PUBLIC_KEYS',
    'JWT_PRIVATE_KEY',
    'SAGA_COMPENSATION_BUDGET',
    'TEMPORAL_ADDRESS',
  ]) {
    expect(text).toContain(name);
  }
  expect(text).not.toContain('not-a-pem-secret');
});

test('worker versioning: deployment and build id together or not at all; search attributes checked by default', () => {
  const plain = loadWorkerConfig(required);
  expect(deploymentOf(plain)).toBeUndefined();
  expect(plain.searchAttributes).toBe('check');
  const versioned = loadWorkerConfig({
    ...required,
    TEMPORAL_WORKER_DEPLOYMENT: 'meshcart-saga',
    TEMPORAL_WORKER_BUILD_ID: 'v1.2.3',
  });
  expect(deploymentOf(versioned)).toEqual({ deploymentName: 'meshcart-saga', buildId: 'v1.2.3' });
  expect(() => loadWorkerConfig({ ...required, TEMPORAL_WORKER_BUILD_ID: 'v1' })).toThrow(
    ConfigError,
  );
  expect(() => loadWorkerConfig({ ...required, TEMPORAL_WORKER_DEPLOYMENT: 'd' })).toThrow(
    ConfigError,
  );
  expect(() =>
    loadWorkerConfig({
      ...required,
      TEMPORAL_WORKER_DEPLOYMENT: 'd',
      TEMPORAL_WORKER_BUILD_ID: 'a b',
    }),
  ).toThrow(ConfigError);
  expect(() => loadWorkerConfig({ ...required, SAGA_SEARCH_ATTRIBUTES: 'maybe' })).toThrow(
    ConfigError,
  );
});
