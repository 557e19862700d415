import { generateKeyPairSync } from 'node:crypto';
import { ConfigError } from '@meshcart/kit';
import { loadOrdersConfig, policiesOf } from './config';

const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });

const required = {
  DATABASE_URL: 'mysql://orders:pw@127.0.0.1:3307/shop_orders',
  JWT_PUBLIC_KEYS: '{"keys":[]}',
  JWT_PRIVATE_KEY: String(pem),
};

test('defaults: port 50056, local catalog/shipping/payments/Temporal', () => {
  expect(loadOrdersConfig(required)).toMatchObject({
    service: 'orders',
    grpcPort: 50056,
    catalogAddr: '127.0.0.1:50052',
    shippingAddr: '127.0.0.1:50055',
    paymentsAddr: '127.0.0.1:50054',
    temporalAddress: '127.0.0.1:7233',
    temporalNamespace: 'default',
    temporalTaskQueue: 'meshcart-order-saga',
  });
});

test('missing or bad variables fail all at once, never echoing secrets', () => {
  let err: unknown;
  try {
    loadOrdersConfig({
      DATABASE_URL: 'postgres://u:hunter2@db/x',
      CATALOG_ADDR: 'no-port',
      JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nhunter2\n-----END PRIVATE KEY-----',
    });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  const problems = (err as ConfigError).problems.join('\n');
  for (const v of ['DATABASE_URL', 'CATALOG_ADDR', 'JWT_PUBLIC_KEYS', 'JWT_PRIVATE_KEY'])
    expect(problems).toContain(v);
  expect(problems).not.toContain('hunter2');
});

test('caps and the orphan reconciler: documented defaults, bounds enforced', () => {
  expect(policiesOf(loadOrdersConfig(required))).toEqual({
    caps: { maxOpenOrdersPerUser: 5, maxUnitsPerLine: 10 },
    orphans: { graceMs: 60_000, maxAgeMs: 3_600_000, batchSize: 20 },
  });
  const bad = {
    ...required,
    MAX_OPEN_ORDERS_PER_USER: '0',
    MAX_UNITS_PER_LINE: '1001', // above the contract's 1000
    ORPHAN_GRACE: '20m', // the grace may never reach the max age's lower bound (15m)
    ORPHAN_MAX_AGE: '1m',
    ORPHAN_BATCH_SIZE: '501',
  };
  let err: unknown;
  try {
    loadOrdersConfig(bad);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  const problems = (err as ConfigError).problems.join('\n');
  for (const v of [
    'MAX_OPEN_ORDERS_PER_USER',
    'MAX_UNITS_PER_LINE',
    'ORPHAN_GRACE',
    'ORPHAN_MAX_AGE',
    'ORPHAN_BATCH_SIZE',
  ])
    expect(problems).toContain(v);
});
