/**
 * The abuse load test's HTTP client: plain node:http against the edge, each simulated client
 * bound to its own loopback source address (127.0.0.0/8 is all loopback on Linux), so the
 * edge sees distinct client IPs without any trusted proxy header. Keep-alive per source
 * address, a hard timeout on every request, and the google.rpc.Status reason parsed out of
 * error bodies.
 */
import http from 'node:http';

export interface Answer {
  status: number;
  /** ErrorInfo.reason of an error body, if any. */
  reason?: string;
  retryAfter?: string;
  body: unknown;
  ms: number;
}

const agents = new Map<string, http.Agent>();

function agentFor(from: string): http.Agent {
  let a = agents.get(from);
  if (!a) agents.set(from, (a = new http.Agent({ keepAlive: true, maxSockets: 64 })));
  return a;
}

export function closeAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

/** The ErrorInfo reason of a google.rpc.Status JSON body. */
export function reasonOf(body: unknown): string | undefined {
  const details = (body as { details?: { reason?: string }[] } | undefined)?.details;
  return Array.isArray(details) ? details.find((d) => d.reason)?.reason : undefined;
}

export function send(
  base: URL,
  req: {
    method: string;
    path: string;
    /** Source address of the simulated client (127.x.y.z). */
    from: string;
    body?: unknown;
    token?: string;
    timeoutMs?: number;
  },
): Promise<Answer> {
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  const headers: Record<string, string> = {};
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers,
        localAddress: req.from,
        agent: agentFor(req.from),
        timeout: req.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : {};
          } catch {
            /* non-JSON stays text */
          }
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            reason: reasonOf(body),
            retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
            body,
            ms: performance.now() - started,
          });
        });
      },
    );
    r.on('timeout', () => r.destroy(new Error(`${req.method} ${req.path}: timed out`)));
    r.on('error', reject);
    r.end(payload);
  });
}

/**
 * A slow upload: a chunked POST whose body (`totalBytes` of JSON-ish padding) trickles in
 * `chunkBytes` every `everyMs`, until the edge answers or the body is complete. Resolves with
 * the status the edge gave (0 when the connection was cut without an answer).
 */
export function slowUpload(
  base: URL,
  req: {
    path: string;
    from: string;
    token?: string;
    totalBytes: number;
    chunkBytes: number;
    everyMs: number;
    timeoutMs: number;
  },
): Promise<{ status: number; reason?: string; sentBytes: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (status: number, reason?: string) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({ status, reason, sentBytes: sent, ms: performance.now() - started });
    };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    };
    if (req.token) headers.authorization = `Bearer ${req.token}`;
    let r: http.ClientRequest;
    try {
      r = http.request({
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: req.path,
        headers,
        localAddress: req.from,
        agent: false,
        timeout: req.timeoutMs,
      });
    } catch {
      finish(0);
      return;
    }
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let reason: string | undefined;
        try {
          reason = reasonOf(JSON.parse(Buffer.concat(chunks).toString()));
        } catch {
          /* not JSON */
        }
        finish(res.statusCode ?? 0, reason);
        r.destroy();
      });
      res.on('error', () => finish(res.statusCode ?? 0));
    });
    r.on('timeout', () => {
      r.destroy();
      finish(0);
    });
    r.on('error', () => finish(0));
    // '{"requestId":"' + padding: a body that is only ever refused, never parsed.
    const chunk = Buffer.alloc(req.chunkBytes, 'a');
    const head = Buffer.from('{"requestId":"');
    const pump = () => {
      if (settled || r.destroyed) return;
      if (sent >= req.totalBytes) {
        r.end('"}');
        return;
      }
      const part = sent === 0 ? Buffer.concat([head, chunk.subarray(head.length)]) : chunk;
      sent += part.length;
      r.write(part);
      timer = setTimeout(pump, req.everyMs);
    };
    pump();
  });
}
