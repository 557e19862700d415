/**
 * The chassis in process: config validated, the service's own wiring called with a logger and
 * a verifier, the server listening with health, the releases registered by `start` run after
 * the server on shutdown (last first), and released even when `start` fails half-way.
 */
import { createTestAuth } from '../testkit/test-auth';
import { checkHealth } from '../client/health-check';
import { parse, v } from '../config/load-config';
import { createGrpcServer } from '../server/grpc-server';
import { serviceConfigSpec } from '../server/service-config';
import { poolSettingsOf } from '../db/pool-settings';
import { startService } from './run-service';

const spec = {
  ...serviceConfigSpec('chassis-test', 0),
  greeting: v('CHASSIS_TEST_GREETING', parse.string(), { default: 'hello' }),
};

let saved: NodeJS.ProcessEnv;
beforeEach(async () => {
  saved = { ...process.env };
  const auth = await createTestAuth();
  Object.assign(process.env, auth.env, {
    GRPC_PORT: '0',
    LOG_LEVEL: 'silent',
    CHASSIS_TEST_GREETING: 'hi',
    MESHCART_LIFELINE_FD: '',
  });
});
afterEach(() => {
  process.env = saved;
});

test('starts the service with validated config, a verifier and health SERVING', async () => {
  const seen: string[] = [];
  const svc = await startService({
    spec,
    dir: '/nonexistent',
    start: ({ config, logger, verifier, onShutdown }) => {
      seen.push(config.greeting, typeof verifier.verify, typeof logger.info);
      onShutdown('first', () => undefined);
      return createGrpcServer({ services: [], logger, reflection: false });
    },
  });
  try {
    expect(seen).toEqual(['hi', 'function', 'function']);
    expect(await checkHealth(`127.0.0.1:${svc.port}`, '', 2_000)).toBe('SERVING');
  } finally {
    svc.stop();
    await svc.server.shutdown({ graceMs: 100 });
  }
});

test('a bad variable fails before start with a ConfigError naming it', async () => {
  process.env.GRPC_PORT = 'not-a-port';
  let started = false;
  await expect(
    startService({
      spec,
      dir: '/nonexistent',
      start: ({ logger }) => {
        started = true;
        return createGrpcServer({ services: [], logger, reflection: false });
      },
    }),
  ).rejects.toMatchObject({ name: 'ConfigError' });
  expect(started).toBe(false);
});

test('what start registered is released, last first, when start fails half-way', async () => {
  const released: string[] = [];
  await expect(
    startService({
      spec,
      dir: '/nonexistent',
      start: ({ onShutdown }) => {
        onShutdown('pool', () => void released.push('pool'));
        onShutdown('client', () => void released.push('client'));
        throw new Error('database refused');
      },
    }),
  ).rejects.toThrow('database refused');
  expect(released).toEqual(['client', 'pool']);
});

test('GRPC_MAX_IN_FLIGHT / GRPC_QUEUE_TIMEOUT_MS limit the server, DB_* pool settings reach DATABASE_URL', async () => {
  Object.assign(process.env, {
    GRPC_MAX_IN_FLIGHT: '7',
    GRPC_QUEUE_TIMEOUT_MS: '0',
    DB_STATEMENT_TIMEOUT_MS: '4s',
    DB_ACQUIRE_TIMEOUT_MS: '900ms',
  });
  let databaseUrl = '';
  const svc = await startService({
    spec: {
      ...spec,
      databaseUrl: v('CHASSIS_TEST_DB', parse.string(), { default: 'mysql://u:p@h:1/d' }),
    },
    dir: '/nonexistent',
    start: ({ config, logger }) => {
      databaseUrl = config.databaseUrl;
      return createGrpcServer({ services: [], logger, reflection: false });
    },
  });
  try {
    expect(svc.server.callLimit.options).toMatchObject({ maxInFlight: 7, queueTimeoutMs: 0 });
    expect(poolSettingsOf(databaseUrl)).toEqual({
      statementTimeoutMs: 4_000,
      acquireTimeoutMs: 900,
    });
  } finally {
    svc.stop();
    await svc.server.shutdown({ graceMs: 100 });
  }
});
