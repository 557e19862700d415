import {
  status,
  type Metadata,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { AccessRule, Principal } from '../auth/principal';
import type { TokenVerifier } from '../auth/jwt';
import { errors } from '../errors/domain-error';
import { declaredCorrelations, tagCorrelation, type Correlation } from '../telemetry/correlation';
import { activeTraceIds, tracingEnabled } from '../telemetry/trace-context';
import { authenticate } from './authenticate';
import type { CallerGuard } from './call-graph-guard';
import {
  ON_CALL_END,
  propagatedMetadata,
  traceIdOf,
  type CallContext,
  type Cancellable,
} from '../call/call-context';
import { statusOf } from './error-status';

/** Everything about a method that does not change from call to call (built by implement()). */
export interface MethodRuntime {
  readonly path: string;
  readonly rule: AccessRule;
  readonly handler: (req: unknown, ctx: CallContext) => Promise<unknown>;
  readonly logger: Logger;
  readonly domain: string;
  readonly verifier: TokenVerifier | undefined;
  /** The call graph check of this method (call-graph-guard.ts). */
  readonly guard: CallerGuard;
  readonly defaultDeadlineMs: number;
  readonly record: (code: status, durationMs: number) => void;
  readonly observer:
    ((info: { method: string; code: status; durationMs: number }) => void) | undefined;
}

const SELF = Symbol('meshcart.unaryCall');
type Tagged = ServerUnaryCall<unknown, unknown> & { [SELF]?: UnaryCall };
/** Longest delay setTimeout honours; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A cancel this close to the deadline is counted as the deadline (see onCancelled). */
const DEADLINE_SLACK_MS = 20;

type End = 'deadline' | 'cancelled' | 'done';

function endReason(end: End): unknown {
  if (end === 'deadline') return errors.deadlineExceeded('DEADLINE_EXCEEDED');
  if (end === 'cancelled') return new Error('cancelled by client');
  // Nobody reads this stack; capturing one would cost more than the rest of the call.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const e = new Error('call ended');
  Error.stackTraceLimit = limit;
  return e;
}

/**
 * Tags the active (server) span with each declared correlation the request carries; returns
 * those it does not carry, for the response to supply (a create call learns its id there).
 */
function tagFromRequest(request: unknown): Correlation[] {
  const missing: Correlation[] = [];
  for (const c of declaredCorrelations()) {
    const id = c.ofRequest(request);
    if (id) tagCorrelation(c, id);
    else if (c.ofResponse) missing.push(c);
  }
  return missing;
}

/**
 * One unary call: its deadline, its single answer, and the CallContext its handler gets. Per
 * call this object is all that is allocated (plus a timer when the client sent no deadline); the
 * child logger, AbortSignal, deadline Date and propagated metadata are created only when the
 * handler (or an error being logged) reads them.
 */
export class UnaryCall implements CallContext {
  readonly method: string;
  readonly metadata: Metadata;
  caller: Principal | undefined = undefined;
  private readonly deadlineMs: number;
  private readonly started = performance.now();
  /** Only for the server's default deadline (see the constructor). */
  private readonly timer: NodeJS.Timeout | undefined = undefined;
  private answered = false;
  private ended: End | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  private watched: Cancellable[] | undefined = undefined;
  private childLogger: Logger | undefined = undefined;
  private deadlineDate: Date | undefined = undefined;
  private propagated: Record<string, string> | undefined = undefined;

  constructor(
    private readonly m: MethodRuntime,
    private readonly call: ServerUnaryCall<unknown, unknown>,
    private readonly callback: sendUnaryData<unknown>,
  ) {
    this.method = m.path;
    this.metadata = call.metadata;
    const client = call.getDeadline();
    const clientMs = client instanceof Date ? client.getTime() : Number(client);
    if (Number.isFinite(clientMs)) {
      // grpc-js already runs a timer for the client's deadline: when it fires, grpc-js answers
      // DEADLINE_EXCEEDED and emits 'cancelled', which onCancelled reads as the deadline.
      this.deadlineMs = clientMs;
    } else {
      this.deadlineMs = Date.now() + m.defaultDeadlineMs;
      this.timer = setTimeout(UnaryCall.expire, Math.min(MAX_TIMER_MS, m.defaultDeadlineMs), this);
    }
    (call as Tagged)[SELF] = this;
    // Emitted when the client goes away or its deadline passes, and also once the answer is sent.
    call.on('cancelled', UnaryCall.onCancelled);
  }

  get logger(): Logger {
    return (this.childLogger ??= this.createLogger());
  }

  get deadline(): Date {
    return (this.deadlineDate ??= new Date(this.deadlineMs));
  }

  get propagate(): Record<string, string> {
    return (this.propagated ??= propagatedMetadata(this.metadata));
  }

  /** Aborted when the client cancels, the deadline passes, or the call has been answered. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.ended) this.controller.abort(endReason(this.ended));
    }
    return this.controller.signal;
  }

  /** Cancels `c` when this call ends (ignored once it has ended, like a listener on an aborted signal). */
  [ON_CALL_END](c: Cancellable): void {
    if (!this.ended) (this.watched ??= []).push(c);
  }

  /** Authenticates, runs the handler and answers once; errors map to a status. */
  async run(): Promise<void> {
    const m = this.m;
    const missing = tracingEnabled() ? tagFromRequest(this.call.request) : undefined;
    try {
      const caller = authenticate(m.rule, this.metadata, m.verifier, m.guard);
      this.caller = caller instanceof Promise ? await caller : caller;
      const res = await m.handler(this.call.request, this);
      if (missing) for (const c of missing) tagCorrelation(c, c.ofResponse?.(res));
      this.answer(null, res);
    } catch (e) {
      this.answer(statusOf(e, m.domain, this));
    }
  }

  private answer(err: Partial<ServiceError> | null, res?: unknown): void {
    if (this.answered) return;
    this.answered = true;
    if (this.timer) clearTimeout(this.timer);
    const m = this.m;
    const code = err?.code ?? status.OK;
    const durationMs = performance.now() - this.started;
    m.record(code, durationMs);
    m.observer?.({ method: m.path, code, durationMs });
    if (m.logger.isLevelEnabled('debug'))
      this.logger.debug({ code: status[code], ms: Math.round(durationMs) }, 'rpc done');
    this.callback(err, res);
    this.end('done');
  }

  /** Aborts the signal (if anyone asked for it) and cancels watched downstream calls, once. */
  private end(why: End): void {
    if (this.ended) return;
    this.ended = why;
    if (this.controller) this.controller.abort(endReason(why));
    const watched = this.watched;
    if (watched) {
      this.watched = undefined;
      for (const c of watched) c.cancel();
    }
  }

  private createLogger(): Logger {
    const bindings: Record<string, string> = { rpc: this.method };
    const requestId = this.metadata.get('x-request-id')[0];
    if (typeof requestId === 'string') bindings.request_id = requestId;
    // With tracing on, the logger's mixin adds trace_id/span_id of the active (server) span;
    // without it, the caller's traceparent still correlates the lines.
    const traceId = activeTraceIds().trace_id ? undefined : traceIdOf(this.metadata);
    if (traceId) bindings.trace_id = traceId;
    for (const c of declaredCorrelations()) {
      const id = c.ofRequest(this.call.request);
      if (id) bindings[c.logKey] = id;
    }
    return this.m.logger.child(bindings);
  }

  private static expire(this: void, c: UnaryCall): void {
    c.end('deadline');
    c.answer({ code: status.DEADLINE_EXCEEDED, details: 'deadline exceeded' });
  }

  private static onCancelled(this: ServerUnaryCall<unknown, unknown>): void {
    const c = (this as Tagged)[SELF];
    if (!c || c.answered) return;
    // grpc-js's deadline timer may fire a little before deadlineMs (its clock is the event
    // loop's cached time), and a client resets the stream at its deadline: a cancel this close
    // to the deadline is the deadline.
    if (Date.now() >= c.deadlineMs - DEADLINE_SLACK_MS) return UnaryCall.expire(c);
    c.end('cancelled');
    c.answer({ code: status.CANCELLED, details: 'cancelled' });
  }
}
