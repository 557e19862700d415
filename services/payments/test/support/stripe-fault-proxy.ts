/**
 * A small HTTP proxy in front of stripe-mock that adds what stripe-mock (stateless, fixture
 * answers) cannot do, so the error and state paths of the Stripe adapter run over real sockets:
 *
 * - Faults, queued per operation: an HTTP error Stripe answers without doing anything (429, 5xx
 *   from its edge, 401, 400), a stall (the request is carried out upstream, the answer never
 *   comes back: an unknown outcome), or a drop (carried out, connection reset; note the SDK
 *   retries a closed connection once by itself, with the same key, so it takes two drops).
 * - Stripe's documented test payment methods for declines (`pm_card_chargeDeclined*`): a 402
 *   card_error, as Stripe's test mode answers them.
 * - Idempotency as Stripe documents it: the first answer for a key is saved once execution began
 *   and replayed (Idempotent-Replayed: true); the same key with other parameters is a 400
 *   idempotency_error; a key still running is a 409.
 * - State transitions stripe-mock's fixtures lack: each created PaymentIntent gets its own id,
 *   the request's amount, currency and metadata, status requires_capture; capture -> succeeded,
 *   cancel -> canceled; search answers from the intents created so far.
 * Everything else (request validation, response shapes) comes from stripe-mock itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type StripeOp = 'authorize' | 'lookup' | 'capture' | 'void' | 'refund' | 'verify' | 'other';

export type Fault =
  | {
      kind: 'status';
      status: number;
      type?: string;
      code?: string;
      param?: string;
      /** Execution began and failed (a Stripe 5xx): the answer is saved and replayed for the key. */
      saved?: boolean;
    }
  | { kind: 'stall' }
  | { kind: 'drop' };

export interface RecordedRequest {
  op: StripeOp;
  method: string;
  path: string;
  /** Our payment id (from metadata, or the intent it addresses); '' when unknown. */
  paymentId: string;
  idempotencyKey: string;
  params: URLSearchParams;
  /** How it was answered: forwarded, a replay, a fault, an emulated decline. */
  answer: 'forwarded' | 'replayed' | 'fault' | 'declined' | 'conflict';
}

interface Saved {
  fingerprint: string;
  status: number;
  body: string;
}

interface Intent {
  id: string;
  paymentId: string;
  status: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
}

export class StripeFaultProxy {
  readonly requests: RecordedRequest[] = [];
  private readonly faults = new Map<StripeOp, Fault[]>();
  private readonly saved = new Map<string, Saved>();
  private readonly running = new Set<string>();
  private readonly intents = new Map<string, Intent>();
  private readonly stalled: http.ServerResponse[] = [];
  private server!: http.Server;
  private nextId = 1;
  url = '';

  private constructor(private readonly upstream: string) {}

  static async start(upstream: string): Promise<StripeFaultProxy> {
    const p = new StripeFaultProxy(upstream);
    p.server = http.createServer((req, res) => void p.handle(req, res));
    await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', r));
    p.url = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}`;
    return p;
  }

  /** Queues faults for the next requests of one operation (one fault per request, in order). */
  failNext(op: StripeOp, ...faults: Fault[]): void {
    this.faults.set(op, [...(this.faults.get(op) ?? []), ...faults]);
  }

  /** Requests received for an operation (and payment), whatever their answer. */
  count(op: StripeOp, paymentId?: string): number {
    return this.requests.filter(
      (r) => r.op === op && (paymentId === undefined || r.paymentId === paymentId),
    ).length;
  }

  /** The PaymentIntents created through the proxy for a payment (what Stripe would hold). */
  intentsOf(paymentId: string): Intent[] {
    return [...this.intents.values()].filter((i) => i.paymentId === paymentId);
  }

  /** Ends stalled answers (their clients gave up long ago) and clears queued faults. */
  releaseStalls(): void {
    for (const res of this.stalled.splice(0)) res.destroy();
    this.faults.clear();
  }

  async stop(): Promise<void> {
    this.releaseStalls();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://proxy');
    const params = new URLSearchParams(req.method === 'GET' ? url.search : body);
    const op = classify(req.method ?? 'GET', url.pathname);
    const key = String(req.headers['idempotency-key'] ?? '');
    const record: RecordedRequest = {
      op,
      method: req.method ?? 'GET',
      path: url.pathname,
      paymentId: this.paymentIdOf(op, url.pathname, params),
      idempotencyKey: key,
      params,
      answer: 'forwarded',
    };
    this.requests.push(record);

    const fingerprint = `${req.method} ${url.pathname} ${body}`;
    const prior = key ? this.saved.get(key) : undefined;
    const fault = this.faults.get(op)?.shift();
    if (fault?.kind === 'status') {
      // Rejected before execution (rate limit, Stripe's edge, auth): nothing saved for the key;
      // unless `saved` (execution began, then failed), which Stripe replays for the key.
      record.answer = 'fault';
      const type = fault.type ?? typeFor(fault.status);
      const answer = errorBody(type, fault.code, undefined, fault.param);
      if (fault.saved && key)
        this.saved.set(key, { fingerprint, status: fault.status, body: answer });
      return send(res, fault.status, answer);
    }
    if (prior && prior.fingerprint !== fingerprint) {
      record.answer = 'conflict';
      return send(res, 400, errorBody('idempotency_error'));
    }
    if (!prior && key && this.running.has(key)) {
      record.answer = 'conflict';
      return send(res, 409, errorBody('invalid_request_error', 'idempotency_key_in_use'));
    }
    let status: number;
    let answer: string;
    let headers: Record<string, string> = {};
    if (prior) {
      record.answer = 'replayed';
      ({ status, body: answer } = prior);
      headers = { 'idempotent-replayed': 'true' };
    } else {
      if (key) this.running.add(key);
      try {
        if (
          op === 'authorize' &&
          params.get('payment_method')?.startsWith('pm_card_chargeDeclined')
        ) {
          record.answer = 'declined';
          // Stripe keeps the declined intent (requires_payment_method): a look-up finds it.
          this.createIntent(params, 'requires_payment_method');
          status = 402;
          answer = errorBody('card_error', 'card_declined', 'generic_decline');
        } else {
          ({ status, body: answer } = await this.forward(req, url, body));
          if (status < 300) answer = this.transition(op, url.pathname, params, answer);
        }
        if (key) this.saved.set(key, { fingerprint, status, body: answer });
      } finally {
        if (key) this.running.delete(key);
      }
    }
    if (fault?.kind === 'stall') {
      record.answer = 'fault';
      this.stalled.push(res); // carried out, never answered
      return;
    }
    if (fault?.kind === 'drop') {
      record.answer = 'fault';
      res.socket?.destroy();
      return;
    }
    send(res, status, answer, headers);
  }

  private async forward(req: http.IncomingMessage, url: URL, body: string) {
    const headers: Record<string, string> = {};
    for (const h of ['authorization', 'content-type', 'stripe-version'])
      if (req.headers[h]) headers[h] = String(req.headers[h]);
    const r = await fetch(`${this.upstream}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' ? undefined : body,
    });
    return { status: r.status, body: await r.text() };
  }

  /** Applies the state stripe-mock does not keep to a successful answer. */
  private transition(op: StripeOp, path: string, params: URLSearchParams, raw: string): string {
    const obj = JSON.parse(raw) as Record<string, unknown>;
    if (op === 'authorize')
      return JSON.stringify({ ...obj, ...this.createIntent(params, 'requires_capture') });
    if (op === 'capture' || op === 'void') {
      const intent = this.intents.get(path.split('/')[3] ?? '');
      if (!intent) return raw;
      intent.status = op === 'capture' ? 'succeeded' : 'canceled';
      return JSON.stringify({ ...obj, ...intent });
    }
    if (op === 'lookup') {
      const wanted = /metadata\['meshcart_payment_id'\]:'([^']*)'/.exec(params.get('query') ?? '');
      const template = ((obj.data as unknown[]) ?? [])[0] ?? {};
      const data = wanted
        ? this.intentsOf(wanted[1]!).map((i) => ({ ...(template as object), ...i }))
        : [];
      return JSON.stringify({ ...obj, data, has_more: false });
    }
    return raw;
  }

  private createIntent(params: URLSearchParams, status: string): Intent {
    const metadata = metadataOf(params);
    const intent: Intent = {
      id: `pi_proxy${String(this.nextId++).padStart(6, '0')}`,
      paymentId: metadata.meshcart_payment_id ?? '',
      status,
      amount: Number(params.get('amount')),
      currency: params.get('currency') ?? '',
      metadata,
    };
    this.intents.set(intent.id, intent);
    return intent;
  }

  private paymentIdOf(op: StripeOp, path: string, params: URLSearchParams): string {
    if (op === 'authorize') return metadataOf(params).meshcart_payment_id ?? '';
    if (op === 'capture' || op === 'void')
      return this.intents.get(path.split('/')[3] ?? '')?.paymentId ?? '';
    if (op === 'refund')
      return this.intents.get(params.get('payment_intent') ?? '')?.paymentId ?? '';
    if (op === 'lookup')
      return (
        /metadata\['meshcart_payment_id'\]:'([^']*)'/.exec(params.get('query') ?? '')?.[1] ?? ''
      );
    return '';
  }
}

function classify(method: string, path: string): StripeOp {
  if (method === 'POST' && path === '/v1/payment_intents') return 'authorize';
  if (method === 'GET' && path === '/v1/payment_intents/search') return 'lookup';
  if (method === 'POST' && /^\/v1\/payment_intents\/[^/]+\/capture$/.test(path)) return 'capture';
  if (method === 'POST' && /^\/v1\/payment_intents\/[^/]+\/cancel$/.test(path)) return 'void';
  if (method === 'POST' && path === '/v1/refunds') return 'refund';
  if (method === 'GET' && path === '/v1/balance') return 'verify';
  return 'other';
}

function metadataOf(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) {
    const m = /^metadata\[(.+)\]$/.exec(k);
    if (m) out[m[1]!] = v;
  }
  return out;
}

function typeFor(status: number): string {
  if (status === 401) return 'authentication_error'; // the SDK maps by status, type is for reading
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function errorBody(type: string, code?: string, declineCode?: string, param?: string): string {
  return JSON.stringify({
    error: {
      type,
      message: `fault proxy: ${code ?? type}`,
      code,
      decline_code: declineCode,
      param,
    },
  });
}

function send(
  res: http.ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': 'req_proxy',
    ...headers,
  });
  res.end(body);
}
