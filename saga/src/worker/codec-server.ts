/**
 * A Temporal codec server: lets the Temporal Web UI (and `temporal workflow show
 * --codec-endpoint`) show the saga's encrypted payloads decoded, to operators only.
 *
 *   POST /decode  and  POST /encode
 *   body and answer: {"payloads": [{"metadata": {"<key>": "<base64>"}, "data": "<base64>"}]}
 *   Authorization: Bearer <admin token> (the same tokens the admin RPCs take)
 *
 * The worker serves it when CODEC_SERVER_PORT is set (and TEMPORAL_PAYLOAD_KEYS is). Point the
 * Web UI at it (`temporal server start-dev --ui-codec-endpoint`, or the UI's codec setting) with
 * "pass access token" on, so the UI forwards the operator's token. Anyone else gets 401/403;
 * CORS allows only CODEC_ALLOWED_ORIGINS (the Web UI's origin).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { type TokenVerifier } from '@meshcart/kit';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

type WirePayload = { metadata?: Record<string, string>; data?: string };

function fromWire(p: WirePayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function toWire(p: Payload): WirePayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {}))
    if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createCodecServer(opts: {
  codec: PayloadCodec;
  verifier: TokenVerifier;
  allowedOrigins: readonly string[];
}): Server {
  const send = (res: ServerResponse, code: number, body: object) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  return createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin && opts.allowedOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-allow-headers', 'content-type, authorization, x-namespace');
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader('vary', 'origin');
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const op = req.url === '/decode' ? 'decode' : req.url === '/encode' ? 'encode' : undefined;
    if (!op) return send(res, 404, { error: 'POST /decode or /encode' });
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
    void (async () => {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!token) return send(res, 401, { error: 'bearer token required' });
      const principal = await opts.verifier.verify(token).catch(() => undefined);
      if (!principal) return send(res, 401, { error: 'token invalid or expired' });
      if (!principal.roles.includes('admin'))
        return send(res, 403, { error: 'operators (admin role) only' });
      const body = await readBody(req);
      if (body === undefined) return send(res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
      let payloads: Payload[];
      try {
        const parsed = JSON.parse(body) as { payloads?: WirePayload[] };
        if (!Array.isArray(parsed.payloads)) throw new Error('payloads must be an array');
        payloads = parsed.payloads.map(fromWire);
      } catch (e) {
        return send(res, 400, { error: `bad body: ${(e as Error).message}` });
      }
      try {
        send(res, 200, { payloads: (await opts.codec[op](payloads)).map(toWire) });
      } catch (e) {
        send(res, 422, { error: (e as Error).message });
      }
    })().catch(() => send(res, 500, { error: 'codec server error' }));
  });
}
