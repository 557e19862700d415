package edge

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
)

const (
	testTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	testTracestate  = "vendor=opaque"
)

// Authorization, traceparent, tracestate and x-request-id reach the backend as metadata
// of the same name; Authorization exactly once (grpc-gateway forwards it by itself).
// Nothing else from the client does: no cookies, no Grpc-Metadata-* injection, no
// grpcgateway-* copies.
func TestForwardedHeaders(t *testing.T) {
	e := newTestEdge(t, nil)
	rec := e.do(t, http.MethodGet, "/v1/orders/o-1", "",
		"Authorization", "Bearer token-abc",
		"Traceparent", testTraceparent,
		"Tracestate", testTracestate,
		"X-Request-Id", "req-123",
		"Cookie", "session=secret",
		"User-Agent", "test-agent",
		"Grpc-Metadata-X-User-Id", "admin",
		"X-User-Id", "admin",
		"X-Custom", "nope",
	)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	md := e.backend.lastCall(t).md
	want := map[string]string{
		"authorization": "Bearer token-abc",
		"traceparent":   testTraceparent,
		"tracestate":    testTracestate,
		"x-request-id":  "req-123",
	}
	for k, v := range want {
		if got := md.Get(k); len(got) != 1 || got[0] != v {
			t.Errorf("metadata %s = %q, want [%q]", k, got, v)
		}
	}
	for _, k := range []string{"cookie", "x-user-id", "x-custom", "grpcgateway-cookie", "grpcgateway-user-agent",
		"grpcgateway-authorization", "grpc-metadata-x-user-id"} {
		if got := md.Get(k); len(got) != 0 {
			t.Errorf("metadata %s must not be forwarded, got %q", k, got)
		}
	}
	for k := range md {
		if strings.HasPrefix(k, "grpcgateway-") {
			t.Errorf("unexpected metadata %s", k)
		}
	}
}

// Backend response metadata is not copied to the HTTP response.
func TestBackendMetadataNotExposed(t *testing.T) {
	e := newTestEdge(t, nil)
	for _, target := range []string{"/v1/orders/o-1", "/v1/orders/code-5"} {
		rec := e.do(t, http.MethodGet, target, "")
		for k := range rec.Header() {
			if strings.HasPrefix(strings.ToLower(k), "grpc-") {
				t.Errorf("%s: response header %s leaked", target, k)
			}
		}
	}
}

// Every request gets an X-Request-Id: the client's (when well formed) or a fresh one;
// it is echoed and forwarded.
func TestRequestID(t *testing.T) {
	e := newTestEdge(t, nil)
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)

	rec := e.do(t, http.MethodGet, "/v1/stock/SKU-1", "")
	id := rec.Header().Get("X-Request-Id")
	if !hex32.MatchString(id) {
		t.Fatalf("generated X-Request-Id = %q", id)
	}
	if got := e.backend.lastCall(t).md.Get("x-request-id"); len(got) != 1 || got[0] != id {
		t.Errorf("forwarded x-request-id = %q, want %q", got, id)
	}

	rec = e.do(t, http.MethodGet, "/v1/stock/SKU-1", "", "X-Request-Id", "abc-DEF_1.2")
	if got := rec.Header().Get("X-Request-Id"); got != "abc-DEF_1.2" {
		t.Errorf("client id not kept: %q", got)
	}

	rec = e.do(t, http.MethodGet, "/v1/stock/SKU-1", "", "X-Request-Id", "bad id\twith spaces")
	if got := rec.Header().Get("X-Request-Id"); !hex32.MatchString(got) {
		t.Errorf("malformed client id not replaced: %q", got)
	}
}

// Access logs are JSON with method, path, status, duration and ids, and never contain
// the Authorization header, query strings or bodies.
func TestAccessLogNeverLogsSecrets(t *testing.T) {
	e := newTestEdge(t, nil)
	e.do(t, http.MethodPost, "/v1/sessions?pageToken=query-secret", `{"email":"a@example.com","password":"body-secret"}`,
		"Authorization", "Bearer header-secret", "Traceparent", testTraceparent)
	logs := e.logs.String()
	for _, secret := range []string{"header-secret", "body-secret", "query-secret", "a@example.com"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
	for _, want := range []string{`"method":"POST"`, `"path":"/v1/sessions"`, `"status":200`, `"duration_ms":`,
		`"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`, `"request_id":`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}

func TestTraceID(t *testing.T) {
	cases := map[string]string{
		testTraceparent: "4bf92f3577b34da6a3ce929d0e0e4736",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01": "",
		"garbage": "",
		"":        "",
	}
	for in, want := range cases {
		if got := traceID(in); got != want {
			t.Errorf("traceID(%q) = %q, want %q", in, got, want)
		}
	}
}

// An Authorization header gRPC cannot carry is a 401, not a 500 from the gRPC client.
func TestMalformedAuthorization(t *testing.T) {
	e := newTestEdge(t, nil)
	rec := e.do(t, http.MethodGet, "/v1/orders/o-1", "", "Authorization", "Bearer caf\xc3\xa9")
	expectStatus(t, rec, http.StatusUnauthorized, codes.Unauthenticated, ReasonMalformedAuth)
	rec = e.do(t, http.MethodGet, "/v1/orders/o-1", "", "Authorization", "Bearer a", "Authorization", "Bearer b")
	expectStatus(t, rec, http.StatusUnauthorized, codes.Unauthenticated, ReasonMalformedAuth)
	if n := len(e.backend.recorded()); n != 0 {
		t.Fatalf("backend received %d calls", n)
	}
}
