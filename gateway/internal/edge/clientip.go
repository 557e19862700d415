package edge

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"google.golang.org/grpc/metadata"
)

// clientIPMetadata is the gRPC metadata key carrying the resolved client address to every
// backend (users throttles logins per IP with it). The edge sets it on every proxied call;
// a client header of that name is never forwarded (incomingHeaderMatcher does not list it),
// so a client cannot choose the address it is throttled under.
const clientIPMetadata = "x-client-ip"

type clientIPKey struct{}

// clientIPFrom returns the address withClientIP resolved for the request.
func clientIPFrom(ctx context.Context) netip.Addr {
	a, _ := ctx.Value(clientIPKey{}).(netip.Addr)
	return a
}

// withClientIP resolves the client's address once per request (see resolveClientIP).
func withClientIP(hops int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := resolveClientIP(r, hops)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip)))
	})
}

// resolveClientIP: with hops = 0 the TCP peer (RemoteAddr), X-Forwarded-For ignored (any
// client can write it). With hops = N (N trusted proxies in front of the edge, each
// appending the address it saw), the Nth X-Forwarded-For entry from the right: the address
// the outermost trusted proxy saw. Entries left of it were written by the client and are
// never used. A request with fewer entries than hops, or an unparsable entry there, did not
// come through the proxies as configured: the TCP peer is used.
func resolveClientIP(r *http.Request, hops int) netip.Addr {
	peer := parseAddr(r.RemoteAddr)
	if hops <= 0 {
		return peer
	}
	var entries []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for _, e := range strings.Split(h, ",") {
			if e = strings.TrimSpace(e); e != "" {
				entries = append(entries, e)
			}
		}
	}
	if len(entries) < hops {
		return peer
	}
	if a := parseAddr(entries[len(entries)-hops]); a.IsValid() {
		return a
	}
	return peer
}

// parseAddr reads "1.2.3.4", "1.2.3.4:5678", "::1" or "[::1]:80" (zones dropped, IPv4-mapped
// IPv6 unmapped); invalid = the zero Addr.
func parseAddr(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").Unmap()
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.WithZone("").Unmap()
		}
	}
	return netip.Addr{}
}

// clientIPAnnotator is the grpc-gateway metadata annotator adding x-client-ip to every call.
func clientIPAnnotator(ctx context.Context, _ *http.Request) metadata.MD {
	if ip := clientIPFrom(ctx); ip.IsValid() {
		return metadata.Pairs(clientIPMetadata, ip.String())
	}
	return nil
}

// rateKeyOf is the rate-limit identity of an address: IPv4 addresses as they are, IPv6 by
// their /64 (one subscriber's allocation; rotating addresses inside it gains nothing).
func rateKeyOf(ip netip.Addr) string {
	if !ip.IsValid() {
		return "unknown"
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
