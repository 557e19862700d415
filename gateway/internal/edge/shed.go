package edge

import (
	"net/http"
	"sync/atomic"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
)

// overloadRetry is what an OVERLOADED refusal tells the client to wait: the condition is
// momentary (a burst), and another replica may have room now.
const overloadRetry = time.Second

// overloaded is the edge's load-shedding refusal: 503 UNAVAILABLE, reason OVERLOADED,
// RetryInfo 1s (and Retry-After: 1).
func overloaded(msg string) *edgeError {
	return newEdgeError(http.StatusServiceUnavailable, codes.Unavailable, ReasonOverloaded, msg, nil,
		&errdetails.RetryInfo{RetryDelay: durationpb.New(overloadRetry)})
}

// inFlightLimiter caps the API requests being served at once (EDGE_MAX_IN_FLIGHT). Past the
// cap a request is refused at once, before its body is read or a backend called: queueing
// would only turn a burst into timeouts for everyone. nil = no cap.
type inFlightLimiter struct {
	max int64
	n   atomic.Int64
}

func newInFlightLimiter(max int) *inFlightLimiter {
	if max <= 0 {
		return nil
	}
	return &inFlightLimiter{max: int64(max)}
}

func (l *inFlightLimiter) wrap(ew *errorWriter, next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.n.Add(1) > l.max {
			l.n.Add(-1)
			ew.writeError(w, r, overloaded("too many requests in flight, retry later"))
			return
		}
		defer l.n.Add(-1)
		next.ServeHTTP(w, r)
	})
}
