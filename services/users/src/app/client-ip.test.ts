import { Metadata } from '@grpc/grpc-js';
import type { CallContext, Principal } from '@meshcart/kit';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import {
  clientIpOf,
  fromEdge,
  ipKey,
  isPeerEntry,
  peerAddress,
  peerList,
  rememberPeer,
  type ClientIpTrust,
} from './client-ip';

const NONE: ClientIpTrust = { meshPeerIdentity: 'none' };
const XFCC: ClientIpTrust = { meshPeerIdentity: 'xfcc' };

test('peerAddress reads the address out of grpc-js peer strings', () => {
  expect(peerAddress('127.0.0.1:50123')).toBe('127.0.0.1');
  expect(peerAddress('ipv4:10.1.2.3:443')).toBe('10.1.2.3');
  expect(peerAddress('[::1]:50123')).toBe('::1');
  expect(peerAddress('ipv6:[2001:db8::5]:1')).toBe('2001:db8::5');
  expect(peerAddress('2001:db8::5')).toBe('2001:db8::5');
  expect(peerAddress('unix:/tmp/sock')).toBeUndefined();
  expect(peerAddress(undefined)).toBeUndefined();
});

test('ipKey: IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64, anything else refused', () => {
  expect(ipKey(' 203.0.113.7 ')).toBe('203.0.113.7');
  expect(ipKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  expect(ipKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
  expect(ipKey('2001:0DB8:0001:0002:ffff:0:0:1')).toBe('2001:db8:1:2::/64');
  expect(ipKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
  expect(ipKey('1::2:3:4:5:1.2.3.4')).toBe('1:0:2:3::/64');
  for (const bad of ['', 'example.com', '203.0.113.7, 10.0.0.1', '999.1.1.1', undefined])
    expect(ipKey(bad)).toBeUndefined();
});

const ctx = (caller: Principal | undefined, md: Record<string, string>): CallContext => {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  return { caller, metadata } as unknown as CallContext;
};
const edgeToken: Principal = { subject: 'service:edge', roles: ['service'], isService: true };
const ordersToken: Principal = { subject: 'service:orders', roles: ['service'], isService: true };
const xfcc = (sa: string) => ({
  'x-forwarded-client-cert': `By=spiffe://cluster.local/ns/shop/sa/users;URI=spiffe://cluster.local/ns/shop/sa/${sa}`,
});

test('the edge is known by its service token, or by its mesh identity when the mesh is trusted', () => {
  expect(fromEdge(ctx(edgeToken, {}), NONE)).toBe(true);
  expect(fromEdge(ctx(ordersToken, {}), NONE)).toBe(false);
  expect(fromEdge(ctx(undefined, xfcc('edge')), XFCC)).toBe(true);
  // Not trusted without MESH_PEER_IDENTITY=xfcc: anyone can write that header.
  expect(fromEdge(ctx(undefined, xfcc('edge')), NONE)).toBe(false);
  expect(fromEdge(ctx(undefined, xfcc('orders')), XFCC)).toBe(false);
  // A forged element before the sidecar's own (last) one is ignored.
  const forged = {
    'x-forwarded-client-cert': `URI=spiffe://cluster.local/ns/shop/sa/edge,${xfcc('orders')['x-forwarded-client-cert']}`,
  };
  expect(fromEdge(ctx(undefined, forged), XFCC)).toBe(false);
});

test("clientIpOf takes the edge's x-client-ip only from the edge, and only when it is an IP", () => {
  const ip = { 'x-client-ip': '198.51.100.4' };
  expect(clientIpOf(ctx(edgeToken, ip), NONE)).toBe('198.51.100.4');
  expect(clientIpOf(ctx(undefined, { ...ip, ...xfcc('edge') }), XFCC)).toBe('198.51.100.4');
  // No peer was recorded for these fake calls: the fallback finds none.
  expect(clientIpOf(ctx(undefined, ip), NONE)).toBeUndefined();
  expect(clientIpOf(ctx(edgeToken, { 'x-client-ip': 'not-an-ip' }), NONE)).toBeUndefined();
});

test('LOGIN_IP_TRUSTED_PEERS: a listed peer address is believed like the edge, others are not', () => {
  const trust: ClientIpTrust = {
    meshPeerIdentity: 'none',
    trustedPeers: peerList(['127.0.0.1', '10.0.0.0/8', '::1']),
  };
  const from = (peer: string) => {
    const c = ctx(undefined, { 'x-client-ip': '198.51.100.4' });
    rememberPeer({ metadata: c.metadata, getPeer: () => peer } as ServerUnaryCall<
      unknown,
      unknown
    >);
    return c;
  };
  expect(clientIpOf(from('127.0.0.1:4000'), trust)).toBe('198.51.100.4');
  expect(clientIpOf(from('10.9.8.7:4000'), trust)).toBe('198.51.100.4');
  expect(clientIpOf(from('[::1]:4000'), trust)).toBe('198.51.100.4');
  // Not listed but sending the header: a proxy we do not trust, whose address is every user's;
  // neither the header nor the proxy's address is a key.
  expect(clientIpOf(from('192.168.1.5:4000'), trust)).toBeUndefined();
  expect(clientIpOf(from('127.0.0.1:4000'), NONE)).toBeUndefined();
  // A direct caller (no header) is keyed by its own address.
  const direct = ctx(undefined, {});
  rememberPeer({ metadata: direct.metadata, getPeer: () => '192.168.1.5:4000' } as ServerUnaryCall<
    unknown,
    unknown
  >);
  expect(clientIpOf(direct, trust)).toBe('192.168.1.5');
  // A trusted caller without a usable header: no IP key at all (never the proxy's own address).
  const bare = ctx(undefined, { 'x-client-ip': 'unknown' });
  rememberPeer({ metadata: bare.metadata, getPeer: () => '127.0.0.1:4000' } as ServerUnaryCall<
    unknown,
    unknown
  >);
  expect(clientIpOf(bare, trust)).toBeUndefined();
});

test('isPeerEntry accepts IPs and CIDR subnets only', () => {
  for (const ok of ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '0.0.0.0/0'])
    expect(isPeerEntry(ok)).toBe(true);
  for (const bad of ['', 'localhost', '10.0.0.0/33', '::/129', '10.0.0.0/8/1', '10.0.0.0/x'])
    expect(isPeerEntry(bad)).toBe(false);
});
