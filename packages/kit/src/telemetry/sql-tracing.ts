/**
 * SQL spans for code that talks to the raw `mariadb` driver instead of Prisma (there is no
 * OpenTelemetry instrumentation for that driver, and hooking it globally would also trace the
 * copy inside @prisma/adapter-mariadb twice). Wrap the pool once where it is created:
 *
 *   const pool = traceMariadbPool(mariadb.createPool(opts), { database, host, port });
 *
 * Every query/execute/batch of the pool and of its connections becomes a CLIENT span with
 * db.system.name, db.namespace, db.operation.name, db.collection.name and db.query.text (the
 * statement with its placeholders: parameter values are never recorded), and transactions get
 * BEGIN/COMMIT/ROLLBACK spans. Errors record only the driver's error code.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { Pool, PoolConnection } from 'mariadb';
import { tracingEnabled } from './trace-context';

const QUERY_METHODS = new Set(['query', 'execute', 'batch']);
const TX_METHODS: Record<string, string> = {
  beginTransaction: 'BEGIN',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
};

export interface SqlTarget {
  database?: string;
  host?: string;
  port?: number;
}

/** Operation and main table of a statement, for the span name and db.* attributes. */
export function describeSql(sql: string): { operation: string; collection?: string } {
  const operation = (/^\s*(\w+)/.exec(sql)?.[1] ?? 'SQL').toUpperCase();
  const target = /\b(?:FROM|INTO|UPDATE|JOIN)\s+`?([\w$]+)`?/i.exec(sql)?.[1];
  return target ? { operation, collection: target } : { operation };
}

function statementOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const sql = (arg as { sql?: unknown } | null | undefined)?.sql;
  return typeof sql === 'string' ? sql : undefined;
}

function traced<F extends (...args: never[]) => unknown>(
  fn: F,
  self: object,
  base: Attributes,
  span: (args: unknown[]) => { name: string; attributes: Attributes },
): F {
  const tracer = trace.getTracer('@meshcart/kit/sql');
  return function (this: unknown, ...args: unknown[]) {
    const { name, attributes } = span(args);
    return tracer.startActiveSpan(
      name,
      { kind: SpanKind.CLIENT, attributes: { ...base, ...attributes } },
      async (s) => {
        try {
          return await (fn as unknown as (...a: unknown[]) => Promise<unknown>).apply(self, args);
        } catch (err) {
          // The driver's message can quote values (duplicate keys): keep the code only.
          const code = String((err as { code?: unknown }).code ?? 'ERROR');
          s.setAttribute('error.type', code);
          s.setStatus({ code: SpanStatusCode.ERROR, message: code });
          throw err;
        } finally {
          s.end();
        }
      },
    );
  } as unknown as F;
}

function wrap<T extends object>(target: T, base: Attributes): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value: unknown = Reflect.get(t, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const fn = value as (...args: never[]) => unknown;
      if (QUERY_METHODS.has(prop)) {
        return traced(fn, t, base, (args) => {
          const sql = statementOf(args[0]) ?? '';
          const { operation, collection } = describeSql(sql);
          return {
            name: collection ? `${operation} ${collection}` : operation,
            attributes: {
              'db.operation.name': operation,
              ...(collection ? { 'db.collection.name': collection } : {}),
              'db.query.text': sql.length > 2_000 ? `${sql.slice(0, 2_000)}…` : sql,
              ...(prop === 'batch'
                ? { 'db.operation.batch.size': Array.isArray(args[1]) ? args[1].length : 0 }
                : {}),
            },
          };
        });
      }
      const tx = TX_METHODS[prop];
      if (tx)
        return traced(fn, t, base, () => ({ name: tx, attributes: { 'db.operation.name': tx } }));
      if (prop === 'getConnection') {
        return async (...args: unknown[]) =>
          wrap(
            (await (fn as unknown as (...a: unknown[]) => Promise<PoolConnection>).apply(
              t,
              args,
            )) as object,
            base,
          );
      }
      // Everything else runs on the real object (the driver uses private fields).
      return fn.bind(t);
    },
  });
}

/**
 * The pool, with a span per statement (see the file comment); the pool itself when this process
 * exports no spans (decided here, once: call it after the telemetry preload, as main does).
 */
export function traceMariadbPool<P extends Pool>(pool: P, target: SqlTarget = {}): P {
  if (!tracingEnabled()) return pool;
  const base: Attributes = {
    'db.system.name': 'mariadb',
    ...(target.database ? { 'db.namespace': target.database } : {}),
    ...(target.host ? { 'server.address': target.host } : {}),
    ...(target.port ? { 'server.port': target.port } : {}),
  };
  return wrap(pool, base);
}
