import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from 'pino';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal Runtime's logger writing through pino: SDK, core, workflow (`log` from
 * @temporalio/workflow) and activity context logs become JSON lines carrying the ids the SDK
 * attaches (namespace, taskQueue, workflowId, runId, workflowType, activityId, activityType, attempt).
 */
export function pinoTemporalLogger(logger: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const fields: Record<string, unknown> = {};
    // Symbol keys (the SDK's timestamp marker) are not JSON; string keys are the context ids.
    for (const [k, val] of Object.entries(meta ?? {})) {
      if (k === 'taskToken') continue; // opaque and long: the ids below identify the task
      // pino's `err` serializer keeps type, message and stack (an Error's own fields are not enumerable).
      fields[k === 'error' && val instanceof Error ? 'err' : k] = val;
    }
    logger[LEVELS[level]](fields, message);
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}
