package edge

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
)

// routeGuard is the grpc-gateway middleware that runs once a request is routed (unknown
// paths and wrong methods never get here) and before anything reads its body, cheapest
// check first:
//
//  1. the client address's bucket of the route's class (429 RATE_LIMITED);
//  2. the bearer token, when the edge has the JWKS: on a protected route a missing or
//     invalid token is refused (401), on a public one it is ignored as the backends do;
//  3. the verified user's bucket (429), charged together with the address's;
//  4. the body: the route's size limit (413) within the global buffer budget (503).
//
// A refusal reads no body and calls no backend.
type routeGuard struct {
	ew             *errorWriter
	logger         *slog.Logger
	limiter        *rateLimiter   // nil: every class off
	verifier       *tokenVerifier // nil: no JWKS, tokens left to the backends
	bodyLimit      int64
	orderBodyLimit int64
	budget         *bodyBudget
}

func (g *routeGuard) middleware(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, params map[string]string) {
		route := ""
		if pat, ok := runtime.HTTPPattern(r.Context()); ok {
			route = routeOf(pat)
		}
		pol, known := policyFor(r.Method, route)
		if !known {
			g.logger.Warn("route without an edge policy: default applies", "method", r.Method, "route", route)
		}

		ipKey := limitKey{kind: keyIP, id: rateKeyOf(clientIPFrom(r.Context()))}
		var ipCharge *charge
		if g.limiter != nil {
			var ref *refusal
			if ipCharge, ref = g.limiter.take(pol.class, ipKey); ref != nil {
				g.ew.writeError(w, r, rateLimited(ref))
				return
			}
		}

		subject := ""
		if g.verifier != nil {
			tok := bearerToken(r.Header.Get("Authorization"))
			var err error
			if tok != "" {
				subject, err = g.verifier.verify(tok)
			}
			if pol.protected {
				switch {
				case tok == "":
					g.ew.writeError(w, r, unauthenticated(ReasonTokenMissing, "bearer token required"))
					return
				case errors.Is(err, errTokenExpired):
					g.ew.writeError(w, r, unauthenticated(ReasonTokenExpired, "token expired"))
					return
				case err != nil:
					g.ew.writeError(w, r, unauthenticated(ReasonTokenInvalid, "token invalid"))
					return
				}
			}
		}
		if g.limiter != nil && subject != "" {
			// The address's token was taken above; when the user's own bucket refuses, it is
			// given back, so one throttled user does not eat its neighbours' address quota.
			if _, ref := g.limiter.take(pol.class, limitKey{kind: keyUser, id: subject}); ref != nil {
				ipCharge.giveBack()
				g.ew.writeError(w, r, rateLimited(ref))
				return
			}
		}

		limit := g.bodyLimit
		if pol.largeBody {
			limit = max(g.orderBodyLimit, g.bodyLimit)
		}
		r, release, ok := bufferBody(w, r, limit, g.budget, g.ew)
		if !ok {
			return
		}
		defer release()
		next(w, r, params)
	}
}

func unauthenticated(reason, msg string) *edgeError {
	return newEdgeError(http.StatusUnauthorized, codes.Unauthenticated, reason, msg, nil)
}

// rateLimited is the 429: RESOURCE_EXHAUSTED, ErrorInfo RATE_LIMITED (metadata class,
// keyKind, limit), RetryInfo (the bucket's delay until one token), QuotaFailure (which
// bucket: ip:<addr>, user:<sub>, or shared:<class> past the key cap). Retry-After is the
// delay rounded up to whole seconds (errorWriter.write).
func rateLimited(ref *refusal) *edgeError {
	subject := string(ref.key.kind) + ":" + ref.key.id
	if ref.key.kind == keyShared {
		subject = "shared:" + string(ref.class)
	}
	per := map[keyKind]string{keyIP: "client address", keyUser: "user", keyShared: "untracked client (key cap reached)"}[ref.key.kind]
	unit := map[time.Duration]string{time.Second: "second", time.Minute: "minute", time.Hour: "hour"}[ref.spec.Per]
	desc := fmt.Sprintf("at most %d requests per %s (burst %d) per %s on %s routes",
		ref.spec.Count, unit, ref.spec.Burst, per, ref.class)
	return newEdgeError(http.StatusTooManyRequests, codes.ResourceExhausted, ReasonRateLimited,
		"rate limit exceeded, retry later",
		map[string]string{"class": string(ref.class), "keyKind": string(ref.key.kind), "limit": ref.spec.String()},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(ref.retry.Round(time.Millisecond))},
		&errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{{Subject: subject, Description: desc}}})
}
