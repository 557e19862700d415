/**
 * The client IP a login is throttled by.
 *
 * The edge resolves the end user's IP (its trusted proxy hops) and passes it as `x-client-ip`.
 * Anyone else could send that header too, so it is believed only when the caller is the edge
 * workload as issue 14's identities tell it: a verified service token for `service:edge`, or,
 * when the server trusts the mesh (MESH_PEER_IDENTITY=xfcc), the SPIFFE identity the local
 * sidecar wrote last into x-forwarded-client-cert; or, where neither exists (the local stack, a
 * cluster without the mesh), a peer address listed in LOGIN_IP_TRUSTED_PEERS (like a proxy's
 * set_real_ip_from). Any other caller is keyed by its gRPC peer address, unless it sends the
 * header anyway (an untrusted proxy: no IP key, see clientIpOf). IPv6 addresses are keyed by their /64 (one subscriber's usual allocation, so an
 * attacker cannot rotate through 2^64 addresses), IPv4-mapped IPv6 as the IPv4 address.
 */
import { BlockList, isIP } from 'node:net';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { meshPeerOf, workloadOf, type CallContext, type MeshPeerIdentity } from '@meshcart/kit';

export const CLIENT_IP_HEADER = 'x-client-ip';
/** The workload whose x-client-ip is believed (call-graph.yaml's name for the JSON edge). */
export const EDGE_WORKLOAD = 'edge';

/**
 * grpc-js peers of the calls in flight, by their metadata object (the same object the handler's
 * CallContext carries): the kit's CallContext does not expose the peer, and a WeakMap lets the
 * entry go with the call.
 */
const peers = new WeakMap<object, string>();

/** Remembers the call's peer address (server.ts wraps every method with this). */
export const rememberPeer = (call: ServerUnaryCall<unknown, unknown>): void => {
  peers.set(call.metadata, call.getPeer());
};

/** The address part of a grpc-js peer string (`1.2.3.4:5`, `[::1]:5`, `ipv4:1.2.3.4:5`). */
export function peerAddress(peer: string | undefined): string | undefined {
  if (!peer) return undefined;
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed) return bracketed[1];
  if (isIP(bare)) return bare; // an IPv6 address without port, or an IPv4 one without port
  const hostPort = /^(.*):\d+$/.exec(bare);
  return hostPort && isIP(hostPort[1]!) ? hostPort[1] : undefined;
}

/** The throttling key of an IP: IPv4 as is, IPv6 as its /64, undefined when not an IP. */
export function ipKey(raw: string | undefined): string | undefined {
  const ip = raw?.trim();
  if (!ip) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return isIP(mapped[1]!) === 4 ? mapped[1] : undefined;
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return undefined;
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (lower-case hex, no leading zeros). */
function expandIpv6(ip: string): string[] {
  const [head = '', tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const part = (s: string) => (s ? s.split(':') : []);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  // An embedded IPv4 tail (::1.2.3.4) stands for two groups.
  const groups = (gs: string[]) => gs.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const fill = Array<string>(Math.max(0, 8 - groups(left) - groups(right))).fill('0');
  return [...left, ...fill, ...right].map((g) =>
    g.includes('.') ? g : parseInt(g, 16).toString(16),
  );
}

/** Who may tell the end user's IP (handlers read it once from config). */
export interface ClientIpTrust {
  meshPeerIdentity: MeshPeerIdentity;
  /** Peer addresses / subnets whose x-client-ip is believed (LOGIN_IP_TRUSTED_PEERS). */
  trustedPeers?: BlockList;
}

/**
 * A BlockList of `1.2.3.4`, `10.0.0.0/8`, `::1`, `fd00::/8` entries (validated by config.ts's
 * parser, so a bad entry never gets here).
 */
export function peerList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', bits] = entry.split('/');
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return list;
}

/** True for `1.2.3.4`, `10.0.0.0/8`, `::1`, `fd00::/8` (the LOGIN_IP_TRUSTED_PEERS entries). */
export function isPeerEntry(entry: string): boolean {
  const [addr = '', bits, ...rest] = entry.split('/');
  const family = isIP(addr);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** True when the call comes from the edge workload (service token, trusted mesh identity or peer). */
export function fromEdge(ctx: CallContext, trust: ClientIpTrust): boolean {
  if (workloadOf(ctx.caller) === EDGE_WORKLOAD) return true;
  if (trust.meshPeerIdentity === 'xfcc' && meshPeerOf(ctx.metadata) === EDGE_WORKLOAD) return true;
  const peer = peerAddress(peers.get(ctx.metadata));
  if (!trust.trustedPeers || peer === undefined) return false;
  return trust.trustedPeers.check(peer, isIP(peer) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The key of the end user's IP: the edge's x-client-ip when the edge calls, else the gRPC peer's
 * address. An edge call without a usable header (an older edge) is not keyed by IP at all: the
 * edge's own address is every user's, and keying on it would let 20 failures anywhere lock out
 * every login (the account throttle still applies).
 */
export function clientIpOf(ctx: CallContext, trust: ClientIpTrust): string | undefined {
  if (fromEdge(ctx, trust)) {
    const header = ctx.metadata.get(CLIENT_IP_HEADER)[0];
    return typeof header === 'string' ? ipKey(header) : undefined;
  }
  // A caller we do not trust that still sends x-client-ip is a proxy in front of the users: the
  // edge in a cluster without the mesh and without LOGIN_IP_TRUSTED_PEERS. Its address is every
  // user's, so keying on it would let 20 failures anywhere lock every login: no IP key (the
  // account throttle still applies). A direct caller (no header) is keyed by its own address.
  if (ctx.metadata.get(CLIENT_IP_HEADER).length > 0) return undefined;
  return ipKey(peerAddress(peers.get(ctx.metadata)));
}
