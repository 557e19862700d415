import pino, { type Logger } from 'pino';
import { activeTraceIds } from '../telemetry/trace-context';

export type { Logger } from 'pino';

/**
 * Paths never written to logs. Handlers log requests at debug only through `redactRequest`,
 * and these keys are censored anywhere pino sees them as well.
 */
const REDACT = [
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'paymentToken',
  '*.paymentToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'metadata.authorization',
];

/**
 * JSON logger for a service; `base` fields go on every line, and every line written inside a
 * span (an RPC, an activity, a SQL call) carries its trace_id and span_id.
 */
export function createLogger(opts: {
  service: string;
  level?: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin: activeTraceIds,
    },
    opts.destination,
  );
}

/** A logger that drops everything (tests that do not care about logs; TEST_LOG_LEVEL=warn shows them). */
export function silentLogger(): Logger {
  return pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}
