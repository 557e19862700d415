package edge

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
)

const (
	headerRequestID   = "X-Request-Id"
	headerTraceparent = "Traceparent"
	headerTracestate  = "Tracestate"
)

// forwardedHeaders are the client headers sent on as gRPC metadata under the same
// (lower-case) name. Authorization is not listed: grpc-gateway always forwards it as
// `authorization` itself, and listing it here would send it twice.
var forwardedHeaders = map[string]string{
	headerTraceparent: "traceparent",
	headerTracestate:  "tracestate",
	headerRequestID:   "x-request-id",
}

// incomingHeaderMatcher replaces grpc-gateway's DefaultHeaderMatcher, which would also
// forward Cookie, User-Agent, ... as grpcgateway-* and any Grpc-Metadata-* header as raw
// metadata (letting a client forge internal metadata). Besides this list, grpc-gateway
// itself adds only `authorization`, `x-forwarded-for` and `x-forwarded-host`.
//
// propagated are the headers the installed propagator carries (traceparent, tracestate,
// baggage) when the otel handlers are left out (no tracer or meter provider, see
// otelActive): they are then forwarded as they came, which is what otelhttp + otelgrpc
// with non-recording spans would have sent on.
func incomingHeaderMatcher(propagated []string) runtime.HeaderMatcherFunc {
	fwd := make(map[string]string, len(forwardedHeaders)+len(propagated))
	for k, v := range forwardedHeaders {
		fwd[k] = v
	}
	for _, f := range propagated {
		fwd[textproto.CanonicalMIMEHeaderKey(f)] = strings.ToLower(f)
	}
	return func(key string) (string, bool) {
		md, ok := fwd[textproto.CanonicalMIMEHeaderKey(key)]
		return md, ok
	}
}

// outgoingHeaderMatcher drops backend response metadata (grpc-gateway would otherwise
// copy every header and trailer to the client as Grpc-Metadata-*).
func outgoingHeaderMatcher(string) (string, bool) { return "", false }

// withRequestID makes sure every request has an X-Request-Id: a client's well-formed
// one is kept, anything else is replaced by a random id. It is forwarded to the backend,
// echoed in the response and logged.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(headerRequestID)
		if !validRequestID(id) {
			id = newRequestID()
			r.Header.Set(headerRequestID, id)
		}
		w.Header().Set(headerRequestID, id)
		next.ServeHTTP(w, r)
	})
}

// checkAuthorization refuses an Authorization header gRPC cannot carry (several values, or
// bytes outside printable ASCII) with 401 instead of letting the gRPC client fail the call
// with INTERNAL. grpc-gateway forwards the header without validating it.
func checkAuthorization(ew *errorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vals := r.Header.Values("Authorization")
		ok := len(vals) <= 1
		for _, v := range vals {
			for i := 0; i < len(v) && ok; i++ {
				ok = v[i] >= 0x20 && v[i] <= 0x7e
			}
		}
		if !ok {
			ew.writeError(w, r, newEdgeError(http.StatusUnauthorized, codes.Unauthenticated, ReasonMalformedAuth, "malformed Authorization header", nil))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.:/+=", c) >= 0) {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// traceID returns the trace id of a well-formed W3C traceparent ("" otherwise), for logs.
func traceID(traceparent string) string {
	// version(2)-traceid(32)-parentid(16)-flags(2)
	parts := strings.Split(strings.TrimSpace(traceparent), "-")
	if len(parts) < 4 || len(parts[0]) != 2 || len(parts[1]) != 32 || len(parts[2]) != 16 {
		return ""
	}
	if _, err := hex.DecodeString(parts[1]); err != nil || parts[1] == strings.Repeat("0", 32) {
		return ""
	}
	return strings.ToLower(parts[1])
}
