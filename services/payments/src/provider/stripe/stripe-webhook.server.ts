/**
 * Stripe's webhook endpoint: POST /webhooks/stripe on its own port (STRIPE_WEBHOOK_PORT; in a
 * cluster, exposed by its own route, not through the gRPC edge, since Stripe posts raw JSON with
 * its own signature scheme). Answers:
 *   400  no Stripe-Signature, a wrong signature, or a timestamp outside the tolerance (5 minutes by
 *        default: a captured request replayed later is refused) - nothing is read or changed
 *   200  applied, or already applied (a redelivered event id changes nothing; Stripe stops)
 *   500  our failure (database down): Stripe redelivers later
 *   404 / 405 / 413 other paths, methods, bodies over 1 MiB
 * The signature is checked on the raw bytes with stripe.webhooks.constructEvent; neither the
 * secret nor the signature header is ever logged.
 */
import http from 'node:http';
import type { Logger } from '@meshcart/kit';
import Stripe from 'stripe';
import type { EventOutcome, ProviderEvent } from '../../app/provider-events.app';
import { PAYMENT_ID_METADATA } from './stripe.provider';

export const WEBHOOK_PATH = '/webhooks/stripe';
const MAX_BODY = 1 << 20;

export interface StripeWebhookDeps {
  /** whsec_... from STRIPE_WEBHOOK_SECRET_FILE. */
  secret: string;
  toleranceSeconds: number;
  apply(e: ProviderEvent): Promise<EventOutcome>;
  logger: Logger;
}

/** An unstarted HTTP server (main.ts and tests decide where it listens). */
export function createStripeWebhookServer(deps: StripeWebhookDeps): http.Server {
  // constructEvent needs no API key; this client never makes a request.
  const webhooks = Stripe.webhooks;
  return http.createServer((req, res) => {
    void handle(req, res).catch((e) => {
      deps.logger.error({ err: e }, 'stripe webhook failed');
      if (!res.headersSent) reply(res, 500, { error: 'internal' });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (new URL(req.url ?? '/', 'http://x').pathname !== WEBHOOK_PATH)
      return reply(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'method not allowed' });
    const body = await readBody(req);
    if (body === null) return reply(res, 413, { error: 'body too large' });
    const signature = req.headers['stripe-signature'];
    if (typeof signature !== 'string' || signature === '')
      return reply(res, 400, { error: 'missing Stripe-Signature' });
    let event: Stripe.Event;
    try {
      event = webhooks.constructEvent(body, signature, deps.secret, deps.toleranceSeconds);
    } catch {
      // Wrong secret, tampered body or stale timestamp: refuse, change nothing, say little.
      deps.logger.warn({ bytes: body.length }, 'stripe webhook refused: bad or stale signature');
      return reply(res, 400, { error: 'invalid signature' });
    }
    const outcome = await deps.apply(toProviderEvent(event));
    deps.logger.info({ event_id: event.id, event_type: event.type, outcome }, 'stripe webhook');
    reply(res, 200, { received: true, outcome });
  }
}

/** The parts of a Stripe event payments acts on: our payment id and the PaymentIntent id. */
export function toProviderEvent(event: Stripe.Event): ProviderEvent {
  const obj = event.data.object as unknown as Record<string, unknown>;
  const metadata = (obj.metadata ?? {}) as Record<string, string>;
  let reference: string | null = null;
  if (obj.object === 'payment_intent' && typeof obj.id === 'string') reference = obj.id;
  else if (typeof obj.payment_intent === 'string') reference = obj.payment_intent;
  return {
    provider: 'stripe',
    eventId: event.id,
    type: event.type,
    paymentId: metadata[PAYMENT_ID_METADATA] ?? null,
    reference,
  };
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function reply(res: http.ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
