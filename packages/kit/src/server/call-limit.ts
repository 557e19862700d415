/**
 * Load shedding for one gRPC server: at most `maxInFlight` calls of the service's own methods
 * run at once; a call over the limit waits up to `queueTimeoutMs` for a slot (in arrival order,
 * never more waiters than slots) and is otherwise refused at once with RESOURCE_EXHAUSTED,
 * reason OVERLOADED and a RetryInfo. Why refuse instead of queueing: a process that accepts
 * everything under overload answers every call late (and past its deadline) instead of most
 * calls on time; a fast, retryable refusal lets the caller (the edge answers 503 + Retry-After)
 * go to another replica or back off. Health and reflection are never limited: createGrpcServer
 * wraps only the services it was given, so a busy replica still answers its probes.
 */
import {
  status,
  type handleUnaryCall,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { errors } from '../errors/domain-error';
import { ErrorReason } from '../errors/error-reason';
import { domainErrorToStatus } from '../errors/status-details';
import { rpcRecorder } from '../telemetry/rpc-metrics';

export interface CallLimitOptions {
  /** Calls of the service's methods running at once; 0 = no limit. */
  maxInFlight: number;
  /** How long a call over the limit may wait for a slot before it is refused; 0 = refuse at once. */
  queueTimeoutMs: number;
  /** RetryInfo.retry_delay of the refusal. */
  retryAfterMs: number;
}

/**
 * What the chassis applies unless GRPC_MAX_IN_FLIGHT / GRPC_QUEUE_TIMEOUT_MS say otherwise. 64 in
 * flight: several times what a service's database pool (10 connections) can work on at once, so
 * normal bursts pass, while a flood is refused instead of piling up memory and latency. 100 ms
 * of wait (at most one waiter per slot) smooths a burst without holding callers long.
 */
export const DEFAULT_CALL_LIMIT: CallLimitOptions = {
  maxInFlight: 64,
  queueTimeoutMs: 100,
  retryAfterMs: 1_000,
};

type Waiter = { grant(): void; timer: NodeJS.Timeout };

/** The counter and wait queue one server shares across its methods. */
export class CallLimiter {
  private inFlight = 0;
  private readonly waiters: Waiter[] = [];
  private opts: CallLimitOptions;

  constructor(opts: Partial<CallLimitOptions> = {}) {
    this.opts = validCallLimit({ ...DEFAULT_CALL_LIMIT, ...opts });
  }

  /** Changes the limits (the chassis applies the configured ones before the server listens). */
  configure(opts: Partial<CallLimitOptions>): void {
    this.opts = validCallLimit({ ...this.opts, ...opts });
  }

  get options(): Readonly<CallLimitOptions> {
    return this.opts;
  }

  /** Calls holding a slot now. */
  get active(): number {
    return this.inFlight;
  }

  /**
   * A slot now (true), a promise of one within queueTimeoutMs (resolves false when refused), or
   * false at once when even the queue is full. Every granted slot must be released exactly once.
   */
  acquire(): boolean | Promise<boolean> {
    const { maxInFlight, queueTimeoutMs } = this.opts;
    if (maxInFlight === 0 || this.inFlight < maxInFlight) {
      this.inFlight++;
      return true;
    }
    if (queueTimeoutMs === 0 || this.waiters.length >= maxInFlight) return false;
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        // release() hands its slot over: inFlight stays the same.
        grant: () => resolve(true),
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          resolve(false);
        }, queueTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Gives a slot back: to the longest waiting call, else to the pool. */
  release(): void {
    const next = this.waiters.shift();
    if (next) {
      clearTimeout(next.timer);
      next.grant();
      return;
    }
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /**
   * The implementation with every unary method behind this limiter (streaming methods pass
   * through: none of our services has one). `domain` is the refusal's ErrorInfo.domain.
   */
  wrap(
    definition: ServiceDefinition,
    implementation: UntypedServiceImplementation,
    domain: string,
  ): UntypedServiceImplementation {
    const out: UntypedServiceImplementation = { ...implementation };
    for (const [name, method] of Object.entries(definition)) {
      const handler = implementation[name];
      if (typeof handler !== 'function' || method.requestStream || method.responseStream) continue;
      out[name] = this.limitUnary(
        handler as handleUnaryCall<unknown, unknown>,
        domain,
        rpcRecorder('server', method.path),
      );
    }
    return out;
  }

  /**
   * `record` counts refusals in the same RED metrics as answered calls (rpc.grpc.status_code 8),
   * so shedding shows on the dashboards: refused calls never reach the unary wrapper.
   */
  private limitUnary(
    handler: handleUnaryCall<unknown, unknown>,
    domain: string,
    record: (code: number, durationMs: number) => void,
  ): handleUnaryCall<unknown, unknown> {
    return (call, callback) => {
      const slot = this.acquire();
      if (slot === true) return this.run(handler, call, callback);
      const started = performance.now();
      const refuse = () => {
        record(status.RESOURCE_EXHAUSTED, performance.now() - started);
        callback(this.refusal(domain), null);
      };
      if (slot === false) return refuse();
      let gone = false;
      // A caller that gives up while waiting frees its place; the slot (if granted) goes back.
      call.once('cancelled', () => (gone = true));
      void slot.then((granted) => {
        if (!granted) return gone ? undefined : refuse();
        if (gone) return this.release();
        this.run(handler, call, callback);
      });
    };
  }

  private run(
    handler: handleUnaryCall<unknown, unknown>,
    call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
  ): void {
    let released = false;
    const done: sendUnaryData<unknown> = (err, value, trailer, flags) => {
      if (!released) {
        released = true;
        this.release();
      }
      callback(err, value, trailer, flags);
    };
    try {
      handler(call, done);
    } catch {
      // implement()'s handlers never throw; a hand-written one must not keep its slot forever.
      done({ code: status.INTERNAL, details: 'internal error' }, null);
    }
  }

  private refusal(domain: string) {
    return domainErrorToStatus(
      errors.resourceExhausted(ErrorReason.ERROR_REASON_OVERLOADED, {
        message: 'server overloaded: retry later',
        retryDelayMs: this.opts.retryAfterMs,
      }),
      domain,
    );
  }
}

function validCallLimit(o: CallLimitOptions): CallLimitOptions {
  for (const [k, v] of Object.entries(o))
    if (!Number.isInteger(v) || v < 0) throw new Error(`call limit ${k} must be an integer >= 0`);
  return o;
}
