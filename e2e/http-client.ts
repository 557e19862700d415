/** A tiny JSON-over-HTTP client for the edge, as a frontend would use it. */
export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface RpcStatusBody {
  code: number;
  message: string;
  details: {
    '@type': string;
    reason?: string;
    domain?: string;
    metadata?: Record<string, string>;
    fieldViolations?: { field: string; description: string }[];
  }[];
}

export function edgeClient(baseUrl: string) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: {
      body?: unknown;
      rawBody?: string;
      token?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<HttpResult<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined || opts.rawBody !== undefined)
      headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(baseUrl + path, {
      method,
      headers,
      body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      /* non-JSON body stays text */
    }
    return { status: res.status, body: body as T };
  };
  return {
    get: <T = Record<string, unknown>>(path: string, token?: string) =>
      call<T>('GET', path, { token }),
    post: <T = Record<string, unknown>>(path: string, body: unknown, token?: string) =>
      call<T>('POST', path, { body, token }),
    raw: call,
  };
}

/** ErrorInfo.reason of a google.rpc.Status JSON body. */
export function reasonOf(body: unknown): string | undefined {
  const details = (body as RpcStatusBody).details ?? [];
  return details.find((d) => d['@type'].endsWith('google.rpc.ErrorInfo'))?.reason;
}

/** Field paths of the BadRequest detail of a google.rpc.Status JSON body. */
export function violatedFields(body: unknown): string[] {
  const details = (body as RpcStatusBody).details ?? [];
  return details
    .filter((d) => d['@type'].endsWith('google.rpc.BadRequest'))
    .flatMap((d) => (d.fieldViolations ?? []).map((v) => v.field));
}

/** A shipping address the demo shipping service serves (Germany). */
export const TEST_ADDRESS = {
  recipient: 'Ada Lovelace',
  lines: ['12 Analytical Street'],
  city: 'Berlin',
  postalCode: '10115',
  countryCode: 'DE',
};

/** A PlaceOrder body for one unit of `sku`, paid with `paymentToken` (tok_visa approves). */
export function orderRequest(sku: string, requestId: string, paymentToken = 'tok_visa') {
  return {
    requestId,
    items: [{ sku, quantity: 1 }],
    shippingAddress: TEST_ADDRESS,
    paymentToken,
  };
}
