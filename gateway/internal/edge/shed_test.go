package edge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
)

// waitFor polls cond for up to 5s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func expectOverloaded(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	st := expectStatus(t, rec, http.StatusServiceUnavailable, codes.Unavailable, ReasonOverloaded)
	if got := rec.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	if d := detail(t, st, &errdetails.RetryInfo{}).GetRetryDelay().AsDuration(); d != time.Second {
		t.Errorf("RetryInfo %v", d)
	}
}

// Past EDGE_MAX_IN_FLIGHT an API request is refused at once (503 OVERLOADED, Retry-After 1);
// the probes are exempt; the slot frees when the request ends.
func TestInFlightCap(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.MaxInFlight = 1 })
	done := make(chan int)
	go func() {
		rec, _ := e.doFrom(t, "192.0.2.1:1", http.MethodGet, "/v1/orders/sleep-400", "")
		done <- rec.Code
	}()
	waitFor(t, "the slow call to reach the backend", func() bool { return len(e.backend.recorded()) == 1 })

	rec, read := e.doFrom(t, "192.0.2.2:1", http.MethodPost, "/v1/sessions", sessionBody)
	expectOverloaded(t, rec)
	if read {
		t.Error("a shed request's body was read")
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if rec, _ := e.doFrom(t, "192.0.2.2:1", http.MethodGet, p, ""); rec.Code != 200 {
			t.Errorf("%s while full: %d", p, rec.Code)
		}
	}
	if code := <-done; code != 200 {
		t.Fatalf("the slow request: %d", code)
	}
	if rec, _ := e.doFrom(t, "192.0.2.2:1", http.MethodPost, "/v1/sessions", sessionBody); rec.Code != 200 {
		t.Errorf("after the slot freed: %d", rec.Code)
	}
	if n := len(e.backend.recorded()); n != 2 {
		t.Errorf("backend calls %d, want 2 (the shed one never went)", n)
	}
}

// The body buffer budget: a slow upload holds its declared length; a request the rest of
// the budget cannot cover is refused at once (503 OVERLOADED), not queued; the budget comes
// back when the upload ends.
func TestBodyBufferBudget(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.MaxBodyBytes, c.BodyBufferBytes = 4096, 5000 })
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()

	pr, pw := io.Pipe()
	slow, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/sessions", pr)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"email":"` + strings.Repeat("a", 4000-len(`{"email":""}`)) + `"}`
	slow.ContentLength = int64(len(body))
	slow.Header.Set("Content-Type", "application/json")
	done := make(chan int)
	go func() {
		res, err := srv.Client().Do(slow)
		if err != nil {
			done <- -1
			return
		}
		_ = res.Body.Close()
		done <- res.StatusCode
	}()
	_, _ = io.WriteString(pw, body[:100]) // the edge has started reading: 4000 bytes held

	post := func(n int) *http.Response {
		t.Helper()
		b := `{"email":"` + strings.Repeat("b", n-len(`{"email":""}`)) + `"}`
		res, err := srv.Client().Post(srv.URL+"/v1/sessions", "application/json", strings.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		return res
	}
	// 1000 bytes left: a 2000-byte body is refused at once...
	var res *http.Response
	waitFor(t, "the slow upload to hold its share", func() bool {
		res = post(2000)
		return res.StatusCode == http.StatusServiceUnavailable
	})
	if res.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	// ...a 900-byte one fits.
	if res := post(900); res.StatusCode != 200 {
		t.Errorf("a body that fits: %d", res.StatusCode)
	}
	_, _ = io.WriteString(pw, body[100:])
	_ = pw.Close()
	if code := <-done; code != 200 {
		t.Fatalf("slow upload: %d", code)
	}
	if res := post(4000); res.StatusCode != 200 {
		t.Errorf("after the budget came back: %d", res.StatusCode)
	}
	if got := e.budgetInUse(); got != 0 {
		t.Errorf("budget still held: %d bytes", got)
	}
}

// budgetInUse: bytes of the body budget held now (tests).
func (e *testEdge) budgetInUse() int64 {
	b := e.guard.budget
	if !b.sem.TryAcquire(b.bytes) {
		return -1
	}
	b.sem.Release(b.bytes)
	return 0
}

// Backend statuses that mean "overloaded", "throttled" or "a dependency is down" map to
// 503/429 with Retry-After from RetryInfo, never 500.
func TestBackendOverloadAndThrottleStatuses(t *testing.T) {
	e := newTestEdge(t, nil)
	re, ov, lt := strconv.Itoa(int(codes.ResourceExhausted)), ReasonOverloaded, "LOGIN_THROTTLED"
	cases := []struct {
		id         string
		http       int
		code       codes.Code
		retryAfter string
	}{
		{"st-" + re + "-" + ov + "-retry-2500", 503, codes.ResourceExhausted, "3"},
		{"st-" + re + "-" + ov, 503, codes.ResourceExhausted, "1"},
		{"st-" + re + "-" + lt + "-retry-30000", 429, codes.ResourceExhausted, "30"},
		{"st-" + re + "-OPEN_ORDER_LIMIT_REACHED", 429, codes.ResourceExhausted, ""},
		{"st-14-DB_UNAVAILABLE", 503, codes.Unavailable, ""},
		{"st-14-DATABASE_UNAVAILABLE-retry-1000", 503, codes.Unavailable, "1"},
		{"st-13-DB_UNAVAILABLE", 503, codes.Internal, ""},
		{"st-13-DATABASE_UNAVAILABLE", 503, codes.Internal, ""},
		{"plain-14", 503, codes.Unavailable, ""},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			rec := e.do(t, http.MethodGet, "/v1/orders/"+c.id, "")
			expectStatus(t, rec, c.http, c.code, "")
			if got := rec.Header().Get("Retry-After"); got != c.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, c.retryAfter)
			}
		})
	}
}
