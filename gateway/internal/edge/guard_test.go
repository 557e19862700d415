package edge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

// countingBody records whether anything read it.
type countingBody struct {
	io.Reader
	reads atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	b.reads.Add(1)
	return b.Reader.Read(p)
}

// doFrom sends one request from a client address (RemoteAddr) through the edge's handler;
// it returns the recorder and whether the body was read at all.
func (e *testEdge) doFrom(t *testing.T, remote, method, target, body string, headers ...string) (*httptest.ResponseRecorder, bool) {
	t.Helper()
	var cb *countingBody
	var rd io.Reader
	if body != "" {
		cb = &countingBody{Reader: strings.NewReader(body)}
		rd = cb
	}
	req := httptest.NewRequest(method, target, rd)
	req.RemoteAddr = remote
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = int64(len(body))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, req)
	return rec, cb != nil && cb.reads.Load() > 0
}

// detail unmarshals the status's detail of into's type into it, failing when there is none.
func detail[T proto.Message](t *testing.T, st *spb.Status, into T) T {
	t.Helper()
	for _, d := range st.GetDetails() {
		if d.MessageIs(into) {
			if err := d.UnmarshalTo(into); err != nil {
				t.Fatal(err)
			}
			return into
		}
	}
	t.Fatalf("no %T detail in %v", into, st)
	return into
}

func mustSpec(t *testing.T, v string) rateSpec {
	t.Helper()
	s, err := parseRateSpec(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const sessionBody = `{"email":"a@example.com","password":"pw"}`

// The auth class: a client address gets its burst, then 429 with every detail pinned, no
// body read and no backend call; another address and another class are unaffected.
func TestRateLimitAuthPerAddress(t *testing.T) {
	e := newTestEdge(t, func(c *Config) {
		c.RateLimits = map[rateClass]rateSpec{classAuth: mustSpec(t, "1/m,burst=2"), classRead: mustSpec(t, "100/s")}
	})
	for i := range 2 {
		if rec, _ := e.doFrom(t, "198.51.100.7:4000", http.MethodPost, "/v1/sessions", sessionBody); rec.Code != 200 {
			t.Fatalf("request %d within the burst: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec, read := e.doFrom(t, "198.51.100.7:4001", http.MethodPost, "/v1/sessions", sessionBody)
	st := expectStatus(t, rec, http.StatusTooManyRequests, codes.ResourceExhausted, ReasonRateLimited)
	if read {
		t.Error("a rate-limited request's body was read")
	}
	if n := len(e.backend.recorded()); n != 2 {
		t.Errorf("backend calls = %d, want 2", n)
	}
	md := errorInfo(t, st).GetMetadata()
	if md["class"] != "auth" || md["keyKind"] != "ip" || md["limit"] != "1/m,burst=2" {
		t.Errorf("ErrorInfo metadata %v", md)
	}
	ri := detail(t, st, &errdetails.RetryInfo{})
	delay := ri.GetRetryDelay().AsDuration()
	if delay < 50*time.Second || delay > 60*time.Second {
		t.Errorf("RetryInfo delay %v, want about 1m (one token at 1/m)", delay)
	}
	if got := rec.Header().Get("Retry-After"); got != strconv.Itoa(retrySeconds(delay)) || got == "0" {
		t.Errorf("Retry-After %q for delay %v", got, delay)
	}
	qf := detail(t, st, &errdetails.QuotaFailure{})
	if v := qf.GetViolations(); len(v) != 1 || v[0].GetSubject() != "ip:198.51.100.7" ||
		v[0].GetDescription() != "at most 1 requests per minute (burst 2) per client address on auth routes" {
		t.Errorf("QuotaFailure %v", v)
	}

	if rec, _ := e.doFrom(t, "198.51.100.8:4000", http.MethodPost, "/v1/sessions", sessionBody); rec.Code != 200 {
		t.Errorf("another address: %d", rec.Code)
	}
	if rec, _ := e.doFrom(t, "198.51.100.7:4000", http.MethodGet, "/v1/products/SKU-1", ""); rec.Code != 200 {
		t.Errorf("the read class of the same address: %d", rec.Code)
	}
	// POST /v1/users is the auth class too (same bucket as sessions).
	if rec, _ := e.doFrom(t, "198.51.100.7:4000", http.MethodPost, "/v1/users", `{"email":"a@example.com"}`); rec.Code != 429 {
		t.Errorf("register from the exhausted address: %d", rec.Code)
	}
}

// IPv6 clients share their /64.
func TestRateLimitIPv6Prefix(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.RateLimits = map[rateClass]rateSpec{classRead: mustSpec(t, "1/h,burst=1")} })
	if rec, _ := e.doFrom(t, "[2001:db8:1:2::1]:5000", http.MethodGet, "/v1/products/SKU-1", ""); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	rec, _ := e.doFrom(t, "[2001:db8:1:2:ffff::9]:5000", http.MethodGet, "/v1/products/SKU-1", "")
	st := expectStatus(t, rec, http.StatusTooManyRequests, codes.ResourceExhausted, ReasonRateLimited)
	if s := detail(t, st, &errdetails.QuotaFailure{}).GetViolations()[0].GetSubject(); s != "ip:2001:db8:1:2::/64" {
		t.Errorf("subject %q", s)
	}
	if rec, _ := e.doFrom(t, "[2001:db8:1:3::1]:5000", http.MethodGet, "/v1/products/SKU-1", ""); rec.Code != 200 {
		t.Errorf("another /64: %d", rec.Code)
	}
}

// With the JWKS, a verified user has its own bucket across addresses; a forged token
// naming that user counts for nothing (it is keyed by its address only).
func TestRateLimitPerVerifiedUser(t *testing.T) {
	key := newTestKey(t, "users-1", []string{"customer"}, []string{"*"})
	forger := newTestKey(t, "users-1", []string{"customer"}, []string{"*"})
	e := newTestEdge(t, func(c *Config) {
		c.JWKSInline = jwksOf(t, key)
		c.JWTIssuer, c.JWTAudience = "meshcart", "meshcart"
		c.RateLimits = map[rateClass]rateSpec{classOrder: mustSpec(t, "1/h,burst=2"), classRead: mustSpec(t, "1/h,burst=2")}
	})
	alice := "Bearer " + key.sign(t, map[string]any{"sub": "alice"})
	forged := "Bearer " + forger.sign(t, map[string]any{"sub": "alice"})

	// Forged tokens on a public route: ignored, so they never touch alice's bucket.
	for i := range 2 {
		if rec, _ := e.doFrom(t, "203.0.113.50:1", http.MethodGet, "/v1/products/SKU-1", "", "Authorization", forged); rec.Code != 200 {
			t.Fatalf("forged %d: %d", i, rec.Code)
		}
	}
	// alice from two addresses: her bucket (2) is shared by both, the addresses each have room.
	for i, ip := range []string{"203.0.113.1:1", "203.0.113.2:1"} {
		if rec, _ := e.doFrom(t, ip, http.MethodGet, "/v1/products/SKU-1", "", "Authorization", alice); rec.Code != 200 {
			t.Fatalf("alice %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec, _ := e.doFrom(t, "203.0.113.3:1", http.MethodGet, "/v1/products/SKU-1", "", "Authorization", alice)
	st := expectStatus(t, rec, http.StatusTooManyRequests, codes.ResourceExhausted, ReasonRateLimited)
	if md := errorInfo(t, st).GetMetadata(); md["keyKind"] != "user" || md["class"] != "read" {
		t.Errorf("metadata %v", md)
	}
	if s := detail(t, st, &errdetails.QuotaFailure{}).GetViolations()[0].GetSubject(); s != "user:alice" {
		t.Errorf("subject %q", s)
	}
	// The refusal gave the address's token back: 203.0.113.3 still has its full burst.
	for i := range 2 {
		if rec, _ := e.doFrom(t, "203.0.113.3:1", http.MethodGet, "/v1/products/SKU-1", ""); rec.Code != 200 {
			t.Fatalf("anonymous from alice's last address %d: %d", i, rec.Code)
		}
	}
}

// Protected routes: no valid token -> 401 before the body is read; the backend never sees
// the call. A valid token goes through; public routes ignore a bad token.
func TestProtectedRouteTokenCheckedBeforeBody(t *testing.T) {
	key := newTestKey(t, "users-1", []string{"customer"}, []string{"*"})
	e := newTestEdge(t, func(c *Config) {
		c.JWKSInline = jwksOf(t, key)
		c.JWTIssuer, c.JWTAudience = "meshcart", "meshcart"
	})
	body := placeOrderBody(1000)
	for name, tc := range map[string]struct{ auth, reason string }{
		"missing": {"", ReasonTokenMissing},
		"basic":   {"Basic dTpw", ReasonTokenMissing},
		"invalid": {"Bearer " + newTestKey(t, "users-1", []string{"customer"}, []string{"*"}).sign(t, nil), ReasonTokenInvalid},
		"expired": {"Bearer " + key.sign(t, map[string]any{"exp": time.Now().Unix() - 60}), ReasonTokenExpired},
	} {
		t.Run(name, func(t *testing.T) {
			var hdr []string
			if tc.auth != "" {
				hdr = []string{"Authorization", tc.auth}
			}
			rec, read := e.doFrom(t, "192.0.2.1:1", http.MethodPost, "/v1/orders", body, hdr...)
			st := expectStatus(t, rec, http.StatusUnauthorized, codes.Unauthenticated, tc.reason)
			if d := errorInfo(t, st).GetDomain(); d != ErrorDomain {
				t.Errorf("domain %q", d)
			}
			if read {
				t.Error("the body of an unauthenticated request was read")
			}
			if rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("no Bearer challenge")
			}
		})
	}
	if n := len(e.backend.recorded()); n != 0 {
		t.Fatalf("backend saw %d calls", n)
	}
	rec, _ := e.doFrom(t, "192.0.2.1:1", http.MethodPost, "/v1/orders", body, "Authorization", "Bearer "+key.sign(t, nil))
	if rec.Code != 200 {
		t.Fatalf("valid token: %d %s", rec.Code, rec.Body)
	}
	for _, target := range []string{"/v1/orders", "/v1/orders/o-1"} {
		rec, _ := e.doFrom(t, "192.0.2.1:1", http.MethodGet, target, "")
		expectStatus(t, rec, http.StatusUnauthorized, codes.Unauthenticated, ReasonTokenMissing)
	}
	rec, _ = e.doFrom(t, "192.0.2.1:1", http.MethodPost, "/v1/orders/o-1:cancel", `{}`)
	expectStatus(t, rec, http.StatusUnauthorized, codes.Unauthenticated, ReasonTokenMissing)
	// Public routes: a bad token is ignored, as the backends ignore it.
	if rec, _ := e.doFrom(t, "192.0.2.1:1", http.MethodGet, "/v1/products/SKU-1", "", "Authorization", "Bearer junk"); rec.Code != 200 {
		t.Errorf("public route with a bad token: %d", rec.Code)
	}
}

// Without the JWKS the edge cannot verify: protected routes pass to the backend (which
// refuses), as before.
func TestProtectedRouteWithoutJWKSLeftToBackend(t *testing.T) {
	e := newTestEdge(t, nil)
	if rec, _ := e.doFrom(t, "192.0.2.1:1", http.MethodGet, "/v1/orders/o-1", ""); rec.Code != 200 {
		t.Fatalf("%d", rec.Code)
	}
}

// Body limits per route: orders get the large one, everything else the small one.
func TestBodyLimitPerRoute(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.MaxBodyBytes, c.MaxOrderBodyBytes = 4096, 8192 })
	if rec, _ := e.doFrom(t, "192.0.2.1:1", http.MethodPost, "/v1/orders", placeOrderBody(8192)); rec.Code != 200 {
		t.Fatalf("order at its limit: %d %s", rec.Code, rec.Body)
	}
	rec, read := e.doFrom(t, "192.0.2.1:1", http.MethodPost, "/v1/orders", placeOrderBody(8193))
	st := expectStatus(t, rec, http.StatusRequestEntityTooLarge, codes.InvalidArgument, ReasonBodyTooLarge)
	if got := errorInfo(t, st).GetMetadata()["limitBytes"]; got != "8192" || read {
		t.Errorf("limitBytes %q, read %v", got, read)
	}
	big := `{"email":"` + strings.Repeat("a", 5000) + `"}`
	rec, _ = e.doFrom(t, "192.0.2.1:1", http.MethodPost, "/v1/sessions", big)
	st = expectStatus(t, rec, http.StatusRequestEntityTooLarge, codes.InvalidArgument, ReasonBodyTooLarge)
	if got := errorInfo(t, st).GetMetadata()["limitBytes"]; got != "4096" {
		t.Errorf("limitBytes %q", got)
	}
	rec, _ = e.doFrom(t, "192.0.2.1:1", http.MethodPost, "/v1/orders/o-1:cancel", `{"reason":"`+strings.Repeat("a", 5000)+`"}`)
	expectStatus(t, rec, http.StatusRequestEntityTooLarge, codes.InvalidArgument, ReasonBodyTooLarge)
}

// Every route of the spec has an explicit policy (a new route needs a decision).
func TestEveryRouteHasAPolicy(t *testing.T) {
	e := newTestEdge(t, nil)
	spec := jsonMap(t, e.spec)
	n := 0
	for path, item := range spec["paths"].(map[string]any) {
		target := strings.NewReplacer("{orderId}", "o-1", "{sku}", "SKU-1").Replace(path)
		for method := range item.(map[string]any) {
			body := ""
			if method == "post" {
				body = "{}"
			}
			e.doFrom(t, "192.0.2.1:1", strings.ToUpper(method), target, body)
			n++
		}
	}
	if n < 9 {
		t.Fatalf("only %d operations in the spec", n)
	}
	if strings.Contains(e.logs.String(), "route without an edge policy") {
		t.Fatalf("a route has no policy:\n%s", e.logs.String())
	}
	if len(routePolicies) != n {
		t.Errorf("routePolicies has %d entries, the spec %d operations", len(routePolicies), n)
	}
}
