/** The reconciler schedule's knobs (ORPHAN_RECONCILE_*); the schedule itself: test/integration/orphan-orders.test.ts. */
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError } from '@meshcart/kit';
import { loadWorkerConfig } from './config';
import { defaultScheduleId } from './reconcile-schedule';

const required = {
  JWT_ISSUER: 'meshcart',
  JWT_AUDIENCE: 'meshcart',
  JWT_PRIVATE_KEY: String(
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
  ),
  JWT_PUBLIC_KEYS: '{"keys":[]}',
};

test('defaults: every 30 s, one schedule per task queue', () => {
  const c = loadWorkerConfig(required);
  expect([c.orphanReconcileIntervalMs, c.orphanReconcileScheduleId]).toEqual([30_000, '']);
  expect(defaultScheduleId(c.taskQueue)).toBe('orphan-orders-meshcart-order-saga');
});

test('the interval: 5 s - 1 h, or off', () => {
  const interval = (raw: string) =>
    loadWorkerConfig({ ...required, ORPHAN_RECONCILE_INTERVAL: raw }).orphanReconcileIntervalMs;
  expect([interval('5s'), interval('1h'), interval('off')]).toEqual([5_000, 3_600_000, undefined]);
  for (const bad of ['1s', '2h', 'never']) {
    expect(() => interval(bad)).toThrow(ConfigError);
  }
});
