package edge

import (
	"net/http"
	"strings"

	"google.golang.org/grpc/codes"
)

const (
	corsAllowMethods  = "GET, POST, OPTIONS"
	corsAllowHeaders  = "Authorization, Content-Type, Traceparent, Tracestate, X-Request-Id"
	corsExposeHeaders = "X-Request-Id"
	corsMaxAge        = "600"
)

// cors applies the origin allow-list.
//   - Allowed origin: Access-Control-Allow-Origin echoes it (never "*", even when the
//     list is "*", so responses stay correct for credentialed requests); preflights
//     (OPTIONS + Access-Control-Request-Method) are answered 204 here.
//   - Any other origin, or an empty list: no CORS headers at all; a preflight is answered
//     403 with a Status body (PERMISSION_DENIED, reason CORS_ORIGIN_NOT_ALLOWED), so the
//     browser blocks the real request.
//
// Vary: Origin is set whenever the answer depends on the Origin header.
type cors struct {
	allowAll bool
	allowed  map[string]bool
	errs     *errorWriter
}

func newCORS(origins []string, ew *errorWriter) *cors {
	c := &cors{allowed: map[string]bool{}, errs: ew}
	for _, o := range origins {
		if o == "*" {
			c.allowAll = true
		}
		c.allowed[o] = true
	}
	return c
}

func (c *cors) enabled() bool { return c.allowAll || len(c.allowed) > 0 }

func (c *cors) originAllowed(origin string) bool {
	return origin != "" && (c.allowAll || c.allowed[strings.ToLower(origin)])
}

func (c *cors) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != ""
		if c.enabled() {
			w.Header().Add("Vary", "Origin")
		}
		if preflight {
			w.Header().Add("Vary", "Access-Control-Request-Method")
			w.Header().Add("Vary", "Access-Control-Request-Headers")
			if !c.originAllowed(origin) {
				c.errs.writeError(w, r, newEdgeError(http.StatusForbidden, codes.PermissionDenied, ReasonCORSOrigin, "origin not allowed", nil))
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if c.originAllowed(origin) {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		next.ServeHTTP(w, r)
	})
}
