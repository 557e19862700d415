import { status } from '@grpc/grpc-js';
import { silentLogger } from '../logging/logger';
import { statusOf } from './error-status';

const log = { logger: silentLogger() };

test('a raw database failure a store let escape keeps its retryable code, never INTERNAL', () => {
  const killed = Object.assign(new Error('Connection killed by MySQL Server'), {
    errno: 1927,
    fatal: true,
  });
  expect(statusOf(killed, 'x.meshcart', log).code).toBe(status.UNAVAILABLE);
  expect(statusOf({ errno: 1213 }, 'x.meshcart', log).code).toBe(status.ABORTED);
  expect(statusOf({ errno: 1062 }, 'x.meshcart', log).code).toBe(status.ALREADY_EXISTS);
  expect(statusOf(new Error('bug'), 'x.meshcart', log).code).toBe(status.INTERNAL);
});
