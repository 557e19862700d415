package edge

import "testing"

// The edge's reasons keep the short wire strings clients and the e2e suite already depend on.
func TestEdgeReasonsKeepTheirWireStrings(t *testing.T) {
	for got, want := range map[string]string{
		ReasonBodyTooLarge:     "REQUEST_BODY_TOO_LARGE",
		ReasonMalformedBody:    "MALFORMED_REQUEST_BODY",
		ReasonRouteNotFound:    "ROUTE_NOT_FOUND",
		ReasonMethodNotAllowed: "METHOD_NOT_ALLOWED",
		ReasonCORSOrigin:       "CORS_ORIGIN_NOT_ALLOWED",
		ReasonBackendDown:      "BACKEND_UNAVAILABLE",
		ReasonMalformedAuth:    "MALFORMED_AUTHORIZATION_HEADER",
	} {
		if got != want {
			t.Errorf("reason %q, want %q", got, want)
		}
	}
}
