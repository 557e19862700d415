/**
 * The edge's JSON API as a frontend uses it (README curl walk-through), with the retries a
 * frontend needs while the platform is being faulted: transient answers (429, 5xx, network
 * errors, timeouts) are retried until a deadline; PlaceOrder is retried with the same
 * requestId, so a retry after a lost answer gets the same order back, never a second one.
 */
import { sleep } from './random';

export interface EdgeOrder {
  id: string;
  status: string;
  cancellationReason?: string;
  requestId?: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
  }
}

/** Statuses worth retrying: the platform is (partly) down or overloaded, not refusing. */
const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

export class ShopClient {
  /** `stop` aborts every request and retry in flight (the run is being torn down). */
  constructor(
    private readonly baseUrl: string,
    private readonly stop: AbortSignal,
  ) {}

  async call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([AbortSignal.timeout(20_000), this.stop]),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      /* a non-JSON body stays text (an HTML error page of a proxy, say) */
    }
    if (!res.ok) throw new HttpError(res.status, parsed, `${method} ${path}`);
    return parsed as T;
  }

  /** `call`, retried on transient failures until `deadline` (epoch ms), then the last error. */
  async retrying<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const transient = !(e instanceof HttpError) || TRANSIENT.has(e.status);
        if (!transient || Date.now() > deadline || this.stop.aborted) throw e;
        await sleep(Math.min(250 * 2 ** attempt, 3_000), this.stop);
      }
    }
  }

  /** Registers (if new) and logs in; returns the access token. */
  async login(email: string, password: string, deadline: number): Promise<string> {
    await this.retrying(deadline, () =>
      this.call('POST', '/v1/users', { email, password, displayName: 'Chaos' }).catch(
        (e: unknown) => {
          // Already registered by an earlier attempt whose answer was lost: fine.
          if (e instanceof HttpError && e.status === 409) return undefined;
          throw e;
        },
      ),
    );
    const s = await this.retrying(deadline, () =>
      this.call<{ accessToken: string }>('POST', '/v1/sessions', { email, password }),
    );
    return s.accessToken;
  }

  async activeSkus(count: number, deadline: number): Promise<string[]> {
    const r = await this.retrying(deadline, () =>
      this.call<{ products: { sku: string; active?: boolean }[] }>(
        'GET',
        '/v1/products?pageSize=50',
      ),
    );
    const skus = r.products.filter((p) => p.active !== false).map((p) => p.sku);
    if (skus.length < count) throw new Error(`only ${skus.length} active products, need ${count}`);
    return skus.slice(0, count);
  }

  placeOrder(
    token: string,
    body: {
      requestId: string;
      items: { sku: string; quantity: number }[];
      shippingAddress: Record<string, unknown>;
      paymentToken: string;
    },
    deadline: number,
  ): Promise<EdgeOrder> {
    return this.retrying(deadline, async () => {
      const r = await this.call<{ order: EdgeOrder }>('POST', '/v1/orders', body, token);
      return r.order;
    });
  }

  async getOrder(token: string, id: string, deadline: number): Promise<EdgeOrder> {
    const r = await this.retrying(deadline, () =>
      this.call<{ order: EdgeOrder }>('GET', `/v1/orders/${id}`, undefined, token),
    );
    return r.order;
  }

  /** Every order of the user, all pages. */
  async listOrders(token: string, deadline: number): Promise<EdgeOrder[]> {
    const out: EdgeOrder[] = [];
    let pageToken = '';
    do {
      const q = `/v1/orders?pageSize=100${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
      const r = await this.retrying(deadline, () =>
        this.call<{ orders?: EdgeOrder[]; nextPageToken?: string }>('GET', q, undefined, token),
      );
      out.push(...(r.orders ?? []));
      pageToken = r.nextPageToken ?? '';
    } while (pageToken);
    return out;
  }

  async available(sku: string): Promise<number> {
    const r = await this.call<{ available?: number }>('GET', `/v1/stock/${sku}`);
    return r.available ?? 0;
  }
}
