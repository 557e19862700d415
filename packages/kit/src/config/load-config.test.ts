import { ConfigError, loadConfig, parse, v } from './load-config';

const spec = {
  port: v('GRPC_PORT', parse.port(), { default: 50051 }),
  databaseUrl: v('DATABASE_URL', parse.url(['mysql']), { secret: true }),
  grace: v('SHUTDOWN_GRACE', parse.duration(), { default: 1000 }),
};

test('a missing required variable fails with a message naming it', () => {
  expect(() => loadConfig(spec, {})).toThrow(ConfigError);
  expect(() => loadConfig(spec, {})).toThrow(/DATABASE_URL/);
});

test('every bad variable is named at once; secret values are not echoed', () => {
  try {
    loadConfig(spec, { GRPC_PORT: '70000', DATABASE_URL: 'postgres://u:hunter2@h/db' });
    throw new Error('expected failure');
  } catch (e) {
    const problems = (e as ConfigError).problems;
    expect(problems.some((p) => p.startsWith('GRPC_PORT'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATABASE_URL'))).toBe(true);
    expect(String(e)).not.toContain('hunter2');
  }
});

test('valid config is typed, defaulted and frozen', () => {
  const c = loadConfig(spec, {
    DATABASE_URL: 'mysql://u:p@127.0.0.1:3307/shop',
    SHUTDOWN_GRACE: '5s',
  });
  expect(c).toEqual({ port: 50051, databaseUrl: 'mysql://u:p@127.0.0.1:3307/shop', grace: 5000 });
  expect(Object.isFrozen(c)).toBe(true);
});
