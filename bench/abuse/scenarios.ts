/**
 * The abuse scenarios, each against the running platform through the JSON edge, each bounded
 * in time and on loopback only. Every simulated client has its own source address, so the
 * edge's per-IP limits see real, distinct clients:
 *
 *   127.0.0.2        the login brute-forcer
 *   127.0.1.<n>      legitimate customers logging in
 *   127.0.2.1        the order flooder; 127.0.2.<10+n> other customers placing orders
 *   127.0.3.1        the prober reading products and stock during the upload flood
 *   127.1.<x>.<y>    one address per slow upload
 *   127.0.9.<n>      set-up (registrations), never measured
 */
import { randomBytes } from 'node:crypto';

import { summarize, sleep } from '../lib/stats';
import { send, slowUpload, type Answer } from './http';

export interface Ctx {
  edge: URL;
  skus: string[];
  /** Mints a customer token for any subject (the users dev key). */
  mint(subject: string): Promise<string>;
  log(line: string): void;
}

const PASSWORD = 'correct horse battery staple';
const ADDRESS = {
  recipient: 'Ada Lovelace',
  lines: ['12 Analytical Street'],
  city: 'Berlin',
  postalCode: '10115',
  countryCode: 'DE',
};

/** Counts of answers by "status reason", e.g. { "429 RATE_LIMITED": 812, "401 INVALID_CREDENTIALS": 9 }. */
export type Tally = Record<string, number>;

function tally(t: Tally, a: { status: number; reason?: string }): void {
  const k = a.reason ? `${a.status} ${a.reason}` : String(a.status);
  t[k] = (t[k] ?? 0) + 1;
}

const count = (t: Tally, pred: (status: number, reason?: string) => boolean): number =>
  Object.entries(t).reduce((n, [k, v]) => {
    const [s, r] = k.split(' ');
    return pred(Number(s), r) ? n + v : n;
  }, 0);

let setupSeq = 0;
const setupAddress = () => `127.0.9.${(setupSeq++ % 250) + 1}`;

/**
 * Registers a customer (from a set-up address) and returns its email. Set-up honours the
 * platform's own back-pressure as a good client does: a 503 OVERLOADED (the users hashing
 * gate) or a 429 is retried after its Retry-After, a few times.
 */
async function register(ctx: Ctx, label: string): Promise<{ email: string; userId: string }> {
  const email = `abuse-${label}-${randomBytes(4).toString('hex')}@example.test`;
  for (let attempt = 1; ; attempt++) {
    const r = await send(ctx.edge, {
      method: 'POST',
      path: '/v1/users',
      from: setupAddress(),
      body: { email, password: PASSWORD, displayName: `Abuse ${label}` },
    });
    if (r.status === 200) return { email, userId: (r.body as { user: { id: string } }).user.id };
    if ((r.status !== 503 && r.status !== 429) || attempt >= 5)
      throw new Error(`register ${email}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    await sleep(Number(r.retryAfter ?? 1) * 1000);
  }
}

/** Registers `n` customers, at most 4 at a time (set-up is not the load being measured). */
async function registerMany(ctx: Ctx, n: number, label: string) {
  const out: { email: string; userId: string }[] = [];
  for (let i = 0; i < n; i += 4)
    out.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(4, n - i) }, (_, j) => register(ctx, `${label}${i + j}`)),
      )),
    );
  return out;
}

async function login(ctx: Ctx, email: string, from: string, password = PASSWORD): Promise<Answer> {
  return send(ctx.edge, { method: 'POST', path: '/v1/sessions', from, body: { email, password } });
}

async function loginToken(ctx: Ctx, email: string, from: string): Promise<string> {
  const r = await login(ctx, email, from);
  if (r.status !== 200) throw new Error(`login ${email} from ${from}: ${r.status} ${r.reason}`);
  return (r.body as { accessToken: string }).accessToken;
}

/** Runs `fn` every `everyMs` until `untilMs` (performance.now()), never overlapping itself. */
async function paced(everyMs: number, untilMs: number, fn: () => Promise<void>): Promise<void> {
  while (performance.now() < untilMs) {
    const next = performance.now() + everyMs;
    await fn();
    const wait = next - performance.now();
    if (wait > 0) await sleep(Math.min(wait, Math.max(0, untilMs - performance.now())));
  }
}

/** Open-loop arrivals at `rps`, at most `concurrency` outstanding, until `untilMs`. */
async function flood(
  rps: number,
  concurrency: number,
  untilMs: number,
  fn: () => Promise<void>,
): Promise<{ sent: number; skipped: number }> {
  let outstanding = 0;
  let sent = 0;
  let skipped = 0;
  const all: Promise<void>[] = [];
  const interval = 1000 / rps;
  let next = performance.now();
  while (performance.now() < untilMs) {
    if (outstanding < concurrency) {
      outstanding++;
      sent++;
      all.push(
        fn()
          .catch(() => undefined)
          .finally(() => outstanding--),
      );
    } else skipped++;
    next += interval;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(all);
  return { sent, skipped };
}

// ---------------------------------------------------------------------------------------------

export interface LoginResult {
  legitClients: number;
  baseline: { n: number; failed: number; p50: number; p99: number; max: number };
  underAttack: { n: number; failed: number; p50: number; p99: number; max: number };
  p99Ratio: number;
  attack: {
    seconds: number;
    attempts: number;
    rps: number;
    answers: Tally;
    /** Attempts that got past the edge's limiter (any answer but 429 RATE_LIMITED). */
    passedEdge: number;
    /** Attempts where users checked a password (401 INVALID_CREDENTIALS). */
    passwordChecks: number;
  };
}

/**
 * Login brute force: `legitClients` customers log in (right password) every `legitEveryMs`, each
 * from its own address, first alone (the baseline), then while one address hammers one
 * victim account with wrong passwords at `attackRps`.
 */
export async function loginBruteForce(
  ctx: Ctx,
  o: {
    legitClients: number;
    legitEveryMs: number;
    baselineS: number;
    attackS: number;
    attackRps: number;
  },
): Promise<LoginResult> {
  const victim = await register(ctx, 'victim');
  const legit = await registerMany(ctx, o.legitClients, 'legit');
  const measure = async (seconds: number): Promise<{ ms: number[]; failed: number }> => {
    const until = performance.now() + seconds * 1000;
    const ms: number[] = [];
    let failed = 0;
    await Promise.all(
      legit.map(async (u, i) => {
        // Spread the clients over the interval so they do not all arrive together.
        await sleep((o.legitEveryMs / o.legitClients) * i);
        await paced(o.legitEveryMs, until, async () => {
          const r = await login(ctx, u.email, `127.0.1.${i + 1}`).catch((): Answer => ({
            status: 0,
            body: {},
            ms: 0,
          }));
          if (r.status === 200) ms.push(r.ms);
          else failed++;
        });
      }),
    );
    return { ms, failed };
  };
  ctx.log(
    `login: baseline, ${o.legitClients} customers, one login each every ${o.legitEveryMs} ms`,
  );
  const base = await measure(o.baselineS);

  ctx.log(`login: brute force on one account from 127.0.0.2 at ${o.attackRps}/s`);
  const answers: Tally = {};
  const attackUntil = performance.now() + o.attackS * 1000;
  const started = performance.now();
  const [attack, under] = await Promise.all([
    flood(o.attackRps, 64, attackUntil, async () => {
      const r = await login(
        ctx,
        victim.email,
        '127.0.0.2',
        `wrong-${randomBytes(3).toString('hex')}`,
      );
      tally(answers, r);
    }),
    measure(o.attackS),
  ]);
  const seconds = (performance.now() - started) / 1000;
  const b = summarize(base.ms);
  const u = summarize(under.ms);
  return {
    legitClients: o.legitClients,
    baseline: { n: b.n, failed: base.failed, p50: b.p50, p99: b.p99, max: b.max },
    underAttack: { n: u.n, failed: under.failed, p50: u.p50, p99: u.p99, max: u.max },
    p99Ratio: b.p99 > 0 ? u.p99 / b.p99 : Infinity,
    attack: {
      seconds,
      attempts: attack.sent,
      rps: attack.sent / seconds,
      answers,
      passedEdge: count(answers, (s, r) => !(s === 429 && r === 'RATE_LIMITED')),
      passwordChecks: count(answers, (s) => s === 401),
    },
  };
}

// ---------------------------------------------------------------------------------------------

export interface OrderFloodResult {
  flooder: { seconds: number; attempts: number; answers: Tally };
  others: {
    customers: number;
    placed: number;
    refused: Tally;
    confirmed: number;
    notConfirmed: Tally;
    placeP99Ms: number;
  };
}

async function waitTerminal(ctx: Ctx, token: string, id: string, from: string, deadline: number) {
  for (;;) {
    const r = await send(ctx.edge, { method: 'GET', path: `/v1/orders/${id}`, from, token });
    const status = (r.body as { order?: { status?: string } }).order?.status;
    if (r.status === 200 && status && status !== 'ORDER_STATUS_PENDING') return status;
    if (performance.now() > deadline) return status ?? `HTTP ${r.status}`;
    await sleep(300);
  }
}

/**
 * Order flood: one customer places orders back to back (4 at a time) from one address while
 * `others` customers place one order every `otherEveryMs` each from their own address; the
 * others' orders must be accepted and confirmed.
 */
export async function orderFlood(
  ctx: Ctx,
  o: { seconds: number; others: number; otherEveryMs: number; confirmWithinS: number },
): Promise<OrderFloodResult> {
  const flooder = await register(ctx, 'flooder');
  const others = await registerMany(ctx, o.others, 'buyer');
  const floodToken = await loginToken(ctx, flooder.email, '127.0.2.1');
  const otherTokens = await Promise.all(
    others.map((u, i) => loginToken(ctx, u.email, `127.0.2.${10 + i}`)),
  );
  const order = (sku: string) => ({
    requestId: `abuse-${randomBytes(8).toString('hex')}`,
    items: [{ sku, quantity: 1 }],
    shippingAddress: ADDRESS,
    paymentToken: 'tok_visa',
  });
  ctx.log(`orders: flood from one customer for ${o.seconds} s, ${o.others} other customers`);
  const floodAnswers: Tally = {};
  const refused: Tally = {};
  const accepted: { token: string; id: string; from: string }[] = [];
  const placeMs: number[] = [];
  const until = performance.now() + o.seconds * 1000;
  let floodAttempts = 0;
  await Promise.all([
    ...Array.from({ length: 4 }, async () => {
      while (performance.now() < until) {
        floodAttempts++;
        const r = await send(ctx.edge, {
          method: 'POST',
          path: '/v1/orders',
          from: '127.0.2.1',
          token: floodToken,
          body: order(ctx.skus[0]!),
        }).catch((): Answer => ({ status: 0, body: {}, ms: 0 }));
        tally(floodAnswers, r);
      }
    }),
    ...otherTokens.map(async (token, i) => {
      const from = `127.0.2.${10 + i}`;
      await sleep((o.otherEveryMs / o.others) * i);
      await paced(o.otherEveryMs, until, async () => {
        const r = await send(ctx.edge, {
          method: 'POST',
          path: '/v1/orders',
          from,
          token,
          body: order(ctx.skus[(i % (ctx.skus.length - 1)) + 1]!),
        }).catch((): Answer => ({ status: 0, body: {}, ms: 0 }));
        placeMs.push(r.ms);
        if (r.status === 200)
          accepted.push({ token, from, id: (r.body as { order: { id: string } }).order.id });
        else tally(refused, r);
      });
    }),
  ]);
  ctx.log(`orders: waiting for ${accepted.length} orders of the other customers to finish`);
  const deadline = performance.now() + o.confirmWithinS * 1000;
  const outcomes = await Promise.all(
    accepted.map((a) => waitTerminal(ctx, a.token, a.id, a.from, deadline)),
  );
  const notConfirmed: Tally = {};
  for (const s of outcomes)
    if (s !== 'ORDER_STATUS_CONFIRMED') tally(notConfirmed, { status: 0, reason: s });
  return {
    flooder: { seconds: o.seconds, attempts: floodAttempts, answers: floodAnswers },
    others: {
      customers: o.others,
      placed: accepted.length,
      refused,
      confirmed: outcomes.filter((s) => s === 'ORDER_STATUS_CONFIRMED').length,
      notConfirmed,
      placeP99Ms: summarize(placeMs).p99,
    },
  };
}

// ---------------------------------------------------------------------------------------------

export interface UploadFloodResult {
  uploads: number;
  bytesEach: number;
  answers: Tally;
  edgeRssMb: { before: number; max: number; after: number };
  probes: { n: number; ok: number; answers: Tally; p50: number; p99: number };
  seconds: number;
}

/**
 * Slow uploads: `uploads` chunked POST /v1/orders bodies of `bytesEach`, each from its own
 * address with its own customer token, trickling `chunkBytes` every `everyMs`, all open at
 * once; meanwhile a prober reads a product and its stock every 100 ms. `rssKb()` reads the
 * edge's resident memory.
 */
export async function uploadFlood(
  ctx: Ctx,
  o: {
    uploads: number;
    bytesEach: number;
    chunkBytes: number;
    everyMs: number;
    rssKb: () => number;
  },
): Promise<UploadFloodResult> {
  const tokens = await Promise.all(
    Array.from({ length: o.uploads }, (_, i) => ctx.mint(`abuse-upload-${i}`)),
  );
  const before = o.rssKb();
  let max = before;
  const sampler = setInterval(() => (max = Math.max(max, o.rssKb())), 50);
  const answers: Tally = {};
  const probeAnswers: Tally = {};
  const probeMs: number[] = [];
  let probing = true;
  const sku = ctx.skus[0]!;
  const prober = (async () => {
    let n = 0;
    while (probing) {
      const path = n++ % 2 ? `/v1/stock/${sku}` : `/v1/products/${sku}`;
      const r = await send(ctx.edge, { method: 'GET', path, from: '127.0.3.1' }).catch(
        (): Answer => ({ status: 0, body: {}, ms: 0 }),
      );
      tally(probeAnswers, r);
      if (r.status === 200) probeMs.push(r.ms);
      await sleep(100);
    }
  })();
  ctx.log(`uploads: ${o.uploads} slow ${o.bytesEach >> 10} KiB uploads, each from its own address`);
  const started = performance.now();
  const timeoutMs = Math.ceil((o.bytesEach / o.chunkBytes) * o.everyMs) + 30_000;
  const results = await Promise.all(
    tokens.map(async (token, i) => {
      // Open them within the first second, as a botnet would, not in one instant.
      await sleep(Math.floor((i / o.uploads) * 1000));
      return slowUpload(ctx.edge, {
        path: '/v1/orders',
        from: `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        token,
        totalBytes: o.bytesEach,
        chunkBytes: o.chunkBytes,
        everyMs: o.everyMs,
        timeoutMs,
      });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const r of results) tally(answers, r);
  probing = false;
  await prober;
  clearInterval(sampler);
  await sleep(500);
  const p = summarize(probeMs);
  const probes = Object.values(probeAnswers).reduce((a, b) => a + b, 0);
  return {
    uploads: o.uploads,
    bytesEach: o.bytesEach,
    answers,
    edgeRssMb: { before: before / 1024, max: max / 1024, after: o.rssKb() / 1024 },
    probes: { n: probes, ok: probeMs.length, answers: probeAnswers, p50: p.p50, p99: p.p99 },
    seconds,
  };
}

// ---------------------------------------------------------------------------------------------

export interface CatalogDownResult {
  checks: { what: string; status: number; reason?: string; ok: boolean }[];
}

/**
 * Catalog stopped: login, order status and stock reads must still work through the edge;
 * product reads answer 503 with a reason. `stopCatalog` kills the catalog process.
 */
export async function catalogDown(
  ctx: Ctx,
  o: { stopCatalog: () => Promise<void> },
): Promise<CatalogDownResult> {
  const u = await register(ctx, 'catalogdown');
  const from = '127.0.4.1';
  const token = await loginToken(ctx, u.email, from);
  const placed = await send(ctx.edge, {
    method: 'POST',
    path: '/v1/orders',
    from,
    token,
    body: {
      requestId: `abuse-${randomBytes(8).toString('hex')}`,
      items: [{ sku: ctx.skus[0]!, quantity: 1 }],
      shippingAddress: ADDRESS,
      paymentToken: 'tok_visa',
    },
  });
  if (placed.status !== 200) throw new Error(`catalog-down set-up order: ${placed.status}`);
  const orderId = (placed.body as { order: { id: string } }).order.id;
  ctx.log('catalog down: stopping the catalog service');
  await o.stopCatalog();
  const checks: CatalogDownResult['checks'] = [];
  const check = async (
    what: string,
    expect: (a: Answer) => boolean,
    req: () => Promise<Answer>,
  ) => {
    // The edge learns a backend is down from its health watch or the first failed call: allow
    // a few seconds for that, then the answer must be the expected one.
    const deadline = performance.now() + 10_000;
    let a: Answer;
    for (;;) {
      a = await req();
      if (expect(a) || performance.now() > deadline) break;
      await sleep(250);
    }
    checks.push({ what, status: a.status, reason: a.reason, ok: expect(a) });
  };
  await check(
    'GET /v1/products/{sku} -> 503',
    (a) => a.status === 503 && !!a.reason,
    () => send(ctx.edge, { method: 'GET', path: `/v1/products/${ctx.skus[0]!}`, from }),
  );
  await check(
    'POST /v1/sessions (login) -> 200',
    (a) => a.status === 200,
    () => login(ctx, u.email, from),
  );
  await check(
    'GET /v1/orders/{id} (order status) -> 200',
    (a) => a.status === 200,
    () => send(ctx.edge, { method: 'GET', path: `/v1/orders/${orderId}`, from, token }),
  );
  await check(
    'GET /v1/stock/{sku} -> 200',
    (a) => a.status === 200,
    () => send(ctx.edge, { method: 'GET', path: `/v1/stock/${ctx.skus[0]!}`, from }),
  );
  return { checks };
}
