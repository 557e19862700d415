import { status, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { DomainError } from '../errors/domain-error';
import { domainErrorToStatus } from '../errors/status-details';
import { GrpcCallError, TRANSIENT_CODES } from '../call/grpc-call-error';
import { mapDbError } from '../db/db-errors';

/** Maps any thrown value to a status; unknown errors become a generic INTERNAL. */
export function toStatus(e: unknown, domain: string, logger: Logger): Partial<ServiceError> {
  return statusOf(e, domain, { logger });
}

/**
 * toStatus with the logger read only when a line is written: `log.logger` is the call's lazily
 * created child logger, so a NOT_FOUND or INVALID_ARGUMENT answer never builds one.
 */
export function statusOf(
  thrown: unknown,
  domain: string,
  log: { readonly logger: Logger },
): Partial<ServiceError> {
  // A database failure a store let escape still gets its retryable code (db-errors.ts).
  const e = mapDbError(thrown);
  if (e instanceof DomainError) {
    if (e.code === status.INTERNAL || e.code === status.UNKNOWN)
      log.logger.error({ err: e }, 'rpc failed');
    else if (e !== thrown) log.logger.warn({ err: thrown }, 'database failure');
    return domainErrorToStatus(e, domain);
  }
  if (e instanceof GrpcCallError && TRANSIENT_CODES.has(e.code)) {
    // A dependency is down or slow: keep the transient code so the caller may retry.
    log.logger.warn({ err: e, dependency: e.method }, 'dependency failed');
    return domainErrorToStatus(
      new DomainError(e.code, {
        reason: 'DEPENDENCY_UNAVAILABLE',
        message: 'a dependency is unavailable',
      }),
      domain,
    );
  }
  log.logger.error({ err: e }, 'rpc failed with an unexpected error');
  return domainErrorToStatus(
    new DomainError(status.INTERNAL, { reason: 'INTERNAL', message: 'internal error' }),
    domain,
  );
}
