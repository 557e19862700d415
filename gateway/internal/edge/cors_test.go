package edge

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
)

const allowedOrigin = "https://shop.example.com"

func corsEdge(t *testing.T) *testEdge {
	return newTestEdge(t, func(c *Config) { c.CORSAllowedOrigins = []string{allowedOrigin, "http://localhost:5173"} })
}

func hasVaryOrigin(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "Origin") {
				return true
			}
		}
	}
	return false
}

func TestCORSAllowedOrigin(t *testing.T) {
	e := corsEdge(t)
	for _, target := range []string{"/v1/stock/SKU-1", "/v1/orders/code-5", "/healthz", "/nope"} {
		rec := e.do(t, http.MethodGet, target, "", "Origin", allowedOrigin)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != allowedOrigin {
			t.Errorf("%s: Allow-Origin = %q", target, got)
		}
		if !hasVaryOrigin(rec.Header()) {
			t.Errorf("%s: no Vary: Origin", target)
		}
		if !strings.Contains(rec.Header().Get("Access-Control-Expose-Headers"), "X-Request-Id") {
			t.Errorf("%s: X-Request-Id not exposed", target)
		}
	}
}

func TestCORSDisallowedOrigin(t *testing.T) {
	e := corsEdge(t)
	rec := e.do(t, http.MethodGet, "/v1/stock/SKU-1", "", "Origin", "https://evil.example.com")
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	for k := range rec.Header() {
		if strings.HasPrefix(k, "Access-Control-") {
			t.Errorf("CORS header %s for a disallowed origin", k)
		}
	}
	if !hasVaryOrigin(rec.Header()) {
		t.Error("no Vary: Origin")
	}
}

func TestCORSPreflight(t *testing.T) {
	e := corsEdge(t)
	rec := e.do(t, http.MethodOptions, "/v1/orders", "",
		"Origin", allowedOrigin,
		"Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "authorization,content-type,traceparent,tracestate")
	if rec.Code != http.StatusNoContent {
		t.Fatalf("preflight status %d: %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	if h.Get("Access-Control-Allow-Origin") != allowedOrigin {
		t.Errorf("Allow-Origin = %q", h.Get("Access-Control-Allow-Origin"))
	}
	methods := strings.Split(strings.ReplaceAll(h.Get("Access-Control-Allow-Methods"), " ", ""), ",")
	for _, m := range []string{"GET", "POST"} {
		if !slices.Contains(methods, m) {
			t.Errorf("Allow-Methods %v lacks %s", methods, m)
		}
	}
	allowed := strings.Split(strings.ToLower(strings.ReplaceAll(h.Get("Access-Control-Allow-Headers"), " ", "")), ",")
	for _, want := range []string{"authorization", "content-type", "traceparent", "tracestate"} {
		if !slices.Contains(allowed, want) {
			t.Errorf("Allow-Headers %v lacks %s", allowed, want)
		}
	}
	if !hasVaryOrigin(h) {
		t.Error("no Vary: Origin")
	}
	if n := len(e.backend.recorded()); n != 0 {
		t.Errorf("preflight reached the backend (%d calls)", n)
	}
}

func TestCORSPreflightDisallowed(t *testing.T) {
	e := corsEdge(t)
	rec := e.do(t, http.MethodOptions, "/v1/orders", "",
		"Origin", "https://evil.example.com", "Access-Control-Request-Method", "POST")
	expectStatus(t, rec, http.StatusForbidden, codes.PermissionDenied, ReasonCORSOrigin)
	for k := range rec.Header() {
		if strings.HasPrefix(k, "Access-Control-") {
			t.Errorf("CORS header %s for a disallowed origin", k)
		}
	}
}

func TestCORSOffWhenListEmpty(t *testing.T) {
	e := newTestEdge(t, nil)
	rec := e.do(t, http.MethodGet, "/v1/stock/SKU-1", "", "Origin", allowedOrigin)
	for k := range rec.Header() {
		if strings.HasPrefix(k, "Access-Control-") {
			t.Errorf("CORS header %s with CORS off", k)
		}
	}
	rec = e.do(t, http.MethodOptions, "/v1/orders", "", "Origin", allowedOrigin, "Access-Control-Request-Method", "POST")
	if rec.Code == http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight accepted with CORS off: %d %v", rec.Code, rec.Header())
	}
}

func TestCORSWildcardEchoesOrigin(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.CORSAllowedOrigins = []string{"*"} })
	rec := e.do(t, http.MethodGet, "/healthz", "", "Origin", "https://any.example.org")
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "https://any.example.org" {
		t.Errorf("Allow-Origin = %q", got)
	}
	rec = e.do(t, http.MethodGet, "/healthz", "")
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Allow-Origin without an Origin = %q", got)
	}
}
