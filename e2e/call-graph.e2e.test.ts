/**
 * The call graph, enforced by the servers themselves: every (caller workload, method) pair over
 * real sockets against the platform as `npm start` runs it, with a raw grpc-js client that has
 * no call graph of its own (what grpcurl or a compromised pod would use).
 *
 * Methods come from the generated descriptor set (every service of every shop.<name>.v1
 * package, so a new service or method is covered without touching this file); callers are
 * every workload: the graph's callers plus every service. Each caller presents what it would in
 * production - the edge a customer's token, ops an admin token, any other workload its own
 * service token - and the mesh identity its sidecar would add (x-forwarded-client-cert; the
 * stack runs with MESH_PEER_IDENTITY=xfcc as the chart does with Istio on). A second pass sends
 * service tokens alone (no mesh: Istio off or misconfigured).
 *
 * Allowed pairs must get past authentication and authorization (the empty request then earns
 * INVALID_ARGUMENT, NOT_FOUND or an answer); every other pair must be refused with
 * PERMISSION_DENIED.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { credentials, Client, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { FileDescriptorSet } from '@meshcart/proto/google/protobuf/descriptor';
import { createTokenSigner, GrpcCallError, loadCallGraph, type Role } from '@meshcart/kit';
import { SERVICES } from '../scripts/local-stack/ports';
import { startE2EStack } from './stack-fixture';

jest.setTimeout(300_000);

type Stack = Awaited<ReturnType<typeof startE2EStack>>;
let stack: Stack;
/** A token signed with `issuer`'s own dev key (users: customers, ops: admins, a workload: itself). */
let mint: (issuer: string, subject: string, role: Role) => Promise<string>;
/** Workloads holding a service key: every caller but the edge and ops, which act for people. */
let serviceCallers: string[];

beforeAll(async () => {
  stack = await startE2EStack({ env: { MESH_PEER_IDENTITY: 'xfcc' } });
  mint = async (issuer, subject, role) => {
    const key = stack.keys[issuer]!;
    const signer = await createTokenSigner({
      issuer: stack.env.JWT_ISSUER!,
      audience: stack.env.JWT_AUDIENCE!,
      privateKeyPem: key.privateKeyPem,
      keyId: key.keyId,
    });
    return (await signer.sign({ subject, roles: [role], ttlSeconds: 300 })).token;
  };
  serviceCallers = allCallers().filter(
    (w) => !['edge', 'ops', 'users'].includes(w) && stack.keys[w],
  );
});
afterAll(() => stack?.stop());

/** Every method the platform serves, with the workload (service) serving it. */
function servedMethods(): { workload: string; method: string }[] {
  const set = FileDescriptorSet.decode(
    readFileSync(require.resolve('@meshcart/proto/descriptor.binpb')),
  );
  const out: { workload: string; method: string }[] = [];
  for (const file of set.file) {
    const workload = /^shop\.([a-z0-9_]+)\.v\d+$/.exec(file.package ?? '')?.[1];
    if (!workload || !(SERVICES as readonly string[]).includes(workload)) continue;
    for (const svc of file.service)
      for (const m of svc.method)
        out.push({ workload, method: `${file.package}.${svc.name}/${m.name}` });
  }
  return out;
}

/** A unary call with an empty request (zero bytes are a valid empty message of any type). */
function rawCall(
  address: string,
  method: string,
  md: Record<string, string>,
): Promise<ServiceError | null> {
  const client = new Client(address, credentials.createInsecure());
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/${method}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.alloc(0),
      metadata,
      { deadline: Date.now() + 10_000 },
      (err) => {
        client.close();
        resolve(err ?? null);
      },
    );
  });
}

const REFUSALS = new Set([status.PERMISSION_DENIED, status.UNAUTHENTICATED]);
const xfcc = (workload: string) => ({
  'x-forwarded-client-cert': `By=spiffe://cluster.local/ns/meshcart/sa/callee;URI=spiffe://cluster.local/ns/meshcart/sa/${workload}`,
});

/** Every workload: the graph's callers and every service. */
function allCallers(): string[] {
  return [...new Set([...loadCallGraph().allowed.keys(), ...SERVICES])].sort();
}

/** What a caller presents in production: the edge a customer's token, ops an admin's, others their own. */
async function credentialsOf(caller: string): Promise<Record<string, string>> {
  if (caller === 'edge')
    return { authorization: `Bearer ${await mint('users', 'e2e-customer-1', 'customer')}` };
  if (caller === 'ops') return { authorization: `Bearer ${await mint('ops', 'ops:e2e', 'admin')}` };
  // users holds only the customer-signing key: it calls nobody, so it presents its mesh identity alone.
  if (!stack.keys[caller] || caller === 'users') return {};
  return { authorization: `Bearer ${await mint(caller, `service:${caller}`, 'service')}` };
}

function outcome(err: ServiceError | null): string {
  if (!err) return 'OK';
  const e = new GrpcCallError('', err);
  return `${status[e.code]}${e.reason ? ` ${e.reason}` : ''}`;
}

test("every (caller, method) pair: the graph's pairs pass, every other pair is refused", async () => {
  const graph = loadCallGraph();
  const callers = allCallers();
  const methods = servedMethods();
  expect(methods.length).toBeGreaterThan(25);
  const wrong: string[] = [];
  const counts = { allowed: 0, refused: 0, byReason: {} as Record<string, number> };
  for (const caller of callers) {
    const md = { ...(await credentialsOf(caller)), ...xfcc(caller) };
    for (const { workload, method } of methods) {
      const err = await rawCall(stack.addresses[workload as keyof Stack['addresses']], method, md);
      const got = outcome(err);
      if (graph.allows(caller, method)) {
        counts.allowed++;
        if (err && REFUSALS.has(err.code))
          wrong.push(`${caller} -> ${method}: allowed, got ${got}`);
      } else {
        counts.refused++;
        counts.byReason[got] = (counts.byReason[got] ?? 0) + 1;
        // PERMISSION_DENIED, or UNAUTHENTICATED for a caller without a token on a role method.
        if (!err || !REFUSALS.has(err.code))
          wrong.push(`${caller} -> ${method}: not in graph, got ${got}`);
      }
    }
  }
  console.log(
    `call graph matrix (mesh identity + natural credentials): ${callers.length} callers x ${methods.length} methods = ${
      callers.length * methods.length
    } pairs; ${counts.allowed} allowed pairs passed, ${counts.refused} other pairs refused ${JSON.stringify(counts.byReason)}`,
  );
  expect(wrong).toEqual([]);
});

test('service tokens alone (no mesh): every pair outside the graph is refused METHOD_NOT_IN_CALL_GRAPH', async () => {
  const graph = loadCallGraph();
  const methods = servedMethods();
  const wrong: string[] = [];
  let refused = 0;
  let allowed = 0;
  for (const caller of serviceCallers) {
    const md = { authorization: `Bearer ${await mint(caller, `service:${caller}`, 'service')}` };
    for (const { workload, method } of methods) {
      const err = await rawCall(stack.addresses[workload as keyof Stack['addresses']], method, md);
      const got = outcome(err);
      if (graph.allows(caller, method)) {
        allowed++;
        if (err && REFUSALS.has(err.code))
          wrong.push(`${caller} -> ${method}: allowed, got ${got}`);
      } else {
        refused++;
        if (got !== 'PERMISSION_DENIED METHOD_NOT_IN_CALL_GRAPH')
          wrong.push(`${caller} -> ${method}: not in graph, got ${got}`);
      }
    }
  }
  console.log(
    `call graph matrix (service tokens only): ${allowed} allowed pairs, ${refused} refused`,
  );
  expect(wrong).toEqual([]);
});

test('grpcurl with a catalog service token cannot refund a payment', async () => {
  const grpcurl = path.resolve(__dirname, '../.tools/bin/grpcurl');
  const token = await mint('catalog', 'service:catalog', 'service');
  const run = promisify(execFile);
  const res = await run(
    grpcurl,
    [
      '-plaintext',
      '-H',
      `authorization: Bearer ${token}`,
      '-d',
      '{"paymentId":"pay_1","amount":{"currencyCode":"EUR","amountMinor":"100"}}',
      stack.addresses.payments,
      'shop.payments.v1.PaymentService/RefundPayment',
    ],
    { encoding: 'utf8' },
  ).then(
    () => 'succeeded',
    (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
  );
  expect(res).toContain('PermissionDenied');
  expect(res).toContain('catalog may not call shop.payments.v1.PaymentService/RefundPayment');
  // The server's reflection carries google.rpc, so grpcurl decodes the ErrorInfo it sent.
  expect(res).toContain('"reason": "METHOD_NOT_IN_CALL_GRAPH"');
});
