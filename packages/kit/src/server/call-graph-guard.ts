/**
 * Server-side call-graph enforcement: the server, not only the caller's typed client, refuses a
 * workload the call graph (helm/meshcart/files/call-graph.yaml) does not let call the method.
 *
 * The calling workload is known two ways, and each one present must be allowed:
 * - its service token: a `service` principal's subject is `service:<workload>` (the verifier has
 *   already checked that the token's key may sign for that workload);
 * - its mTLS peer identity, when the mesh provides it and the server is told to trust it
 *   (MESH_PEER_IDENTITY=xfcc): the Istio sidecar appends the client's SPIFFE id
 *   (`spiffe://<trust domain>/ns/<namespace>/sa/<service account>`) to x-forwarded-client-cert,
 *   so the LAST element is the one the local sidecar wrote; anything before it came from the
 *   caller and is ignored. The service account name is the workload name (call-graph.yaml).
 *
 * People (customer and admin tokens) are governed by the method's role rule, not by the graph:
 * the graph describes workloads. A customer token forwarded by the edge is still checked through
 * the edge's peer identity when the mesh provides one.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { Principal } from '../auth/principal';
import type { CallGraph } from '../call/call-graph';
import { ErrorReason } from '../errors/error-reason';
import { errors } from '../errors/domain-error';

/** How a server learns the calling workload beyond its token. */
export type MeshPeerIdentity = 'none' | 'xfcc';

const SERVICE_PREFIX = 'service:';
const SPIFFE_SA = /^spiffe:\/\/[^/]+\/ns\/[^/]+\/sa\/([^/]+)$/;

/** The workload a service principal acts as (`service:<workload>`), else undefined. */
export function workloadOf(p: Principal | undefined): string | undefined {
  if (!p?.isService || !p.subject.startsWith(SERVICE_PREFIX)) return undefined;
  return p.subject.slice(SERVICE_PREFIX.length);
}

/**
 * The service account of the client the local sidecar saw, from the last element of
 * x-forwarded-client-cert (`By=…;Hash=…;Subject="";URI=spiffe://…/sa/<name>`); undefined when
 * there is no header or its last element carries no SPIFFE URI.
 */
export function meshPeerOf(metadata: Metadata): string | undefined {
  const values = metadata.get('x-forwarded-client-cert');
  const header = values[values.length - 1];
  if (typeof header !== 'string' || !header) return undefined;
  const last = splitOutsideQuotes(header, ',').pop() ?? '';
  for (const pair of splitOutsideQuotes(last, ';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'uri') continue;
    const uri = pair
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, '');
    return SPIFFE_SA.exec(uri)?.[1];
  }
  return undefined;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === sep && !quoted) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** Checks one call's workload identities against the graph; throws PERMISSION_DENIED. */
export type CallerGuard = (caller: Principal | undefined, metadata: Metadata) => void;

/** The guard of `path` (built once per method by implement()). */
export function callGraphGuard(
  graph: CallGraph,
  path: string,
  peerIdentity: MeshPeerIdentity,
): CallerGuard {
  const method = path.replace(/^\//, '');
  const refuse = (workload: string, via: string) =>
    errors.permissionDenied(ErrorReason.ERROR_REASON_METHOD_NOT_IN_CALL_GRAPH, {
      message: `${workload} may not call ${method}: not in the call graph`,
      metadata: { caller: workload, method, identity: via },
    });
  return (caller, metadata) => {
    if (caller?.isService) {
      const workload = workloadOf(caller);
      if (workload === undefined) throw refuse(caller.subject, 'token');
      if (!graph.allows(workload, method)) throw refuse(workload, 'token');
    }
    if (peerIdentity === 'xfcc') {
      const peer = meshPeerOf(metadata);
      if (peer !== undefined && !graph.allows(peer, method)) throw refuse(peer, 'mesh-peer');
    }
  };
}
