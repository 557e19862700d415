package edge

import (
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func TestHealthz(t *testing.T) {
	// Alive even when no backend is.
	e := newTestEdge(t, func(c *Config) {
		for i := range c.Backends {
			c.Backends[i].Target = freeAddr(t)
		}
	})
	rec := e.do(t, http.MethodGet, "/healthz", "")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if m := jsonMap(t, rec.Body.Bytes()); m["status"] != "ok" {
		t.Fatalf("body %s", rec.Body)
	}
	if rec := e.do(t, http.MethodHead, "/healthz", ""); rec.Code != 200 {
		t.Fatalf("HEAD status %d", rec.Code)
	}
}

func readyBody(t *testing.T, e *testEdge) (int, readyReportJSON) {
	t.Helper()
	rec := e.do(t, http.MethodGet, "/readyz", "")
	m := jsonMap(t, rec.Body.Bytes())
	var out readyReportJSON
	out.status, _ = m["status"].(string)
	for _, n := range m["notReady"].([]any) {
		out.notReady = append(out.notReady, n.(string))
	}
	return rec.Code, out
}

type readyReportJSON struct {
	status   string
	notReady []string
}

func TestReadyzAllServing(t *testing.T) {
	e := newTestEdge(t, nil)
	code, body := readyBody(t, e)
	if code != 200 || body.status != "ok" || len(body.notReady) != 0 {
		t.Fatalf("readyz = %d %+v", code, body)
	}
}

func TestReadyzNotServing(t *testing.T) {
	e := newTestEdge(t, nil)
	e.backend.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	code, body := readyBody(t, e)
	if code != http.StatusServiceUnavailable || body.status != "unavailable" {
		t.Fatalf("readyz = %d %+v", code, body)
	}
	// All four share the fake backend here, so all four are named.
	for _, n := range []string{"users", "catalog", "inventory", "orders"} {
		if !slices.Contains(body.notReady, n) {
			t.Errorf("notReady %v lacks %s", body.notReady, n)
		}
	}
	e.backend.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	if code, _ := readyBody(t, e); code != 200 {
		t.Fatalf("after recovery readyz = %d", code)
	}
}

// One backend down: still ready (degraded, naming only that backend), answered within ~1s;
// the other backends' routes keep working and the down one's answer 503 by themselves.
func TestReadyzBackendDown(t *testing.T) {
	e := newTestEdge(t, func(c *Config) {
		for i := range c.Backends {
			if c.Backends[i].Name == BackendOrders {
				c.Backends[i].Target = freeAddr(t)
			}
		}
	})
	start := time.Now()
	code, body := readyBody(t, e)
	if code != http.StatusOK || body.status != "degraded" || !slices.Equal(body.notReady, []string{"orders"}) {
		t.Fatalf("readyz = %d %+v", code, body)
	}
	if d := time.Since(start); d > ReadyCheckTimeout+time.Second {
		t.Errorf("readyz took %v", d)
	}
}

// A backend that accepts TCP but never speaks HTTP/2 (hung process) is reported not
// ready after ~1s instead of blocking the probe.
func TestReadyzBackendHangs(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	e := newTestEdge(t, func(c *Config) { c.Backends[0].Target = lis.Addr().String() })
	start := time.Now()
	code, body := readyBody(t, e)
	if code != http.StatusOK || body.status != "degraded" || !slices.Equal(body.notReady, []string{"users"}) {
		t.Fatalf("readyz = %d %+v", code, body)
	}
	if d := time.Since(start); d > ReadyCheckTimeout+time.Second {
		t.Errorf("readyz took %v", d)
	}
}
