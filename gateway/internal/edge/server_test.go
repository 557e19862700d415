package edge

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"
)

func TestHTTPServerTimeouts(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.RequestTimeout = 3 * time.Second })
	srv := e.HTTPServer()
	if srv.ReadHeaderTimeout <= 0 || srv.ReadHeaderTimeout > 3*time.Second ||
		srv.ReadTimeout != 3*time.Second || srv.WriteTimeout <= 2*3*time.Second || srv.IdleTimeout <= 0 {
		t.Fatalf("timeouts: header %v read %v write %v idle %v",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
}

// Run serves on the configured address and, when its context ends (SIGTERM in main),
// lets an in-flight request finish before returning.
func TestRunGracefulShutdown(t *testing.T) {
	fb := startFakeBackend(t)
	cfg := testConfig(fb.addr)
	cfg.HTTPAddr = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, NewLogger(io.Discard, slog.LevelError), nil) }()

	base := "http://" + cfg.HTTPAddr
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("edge did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	deadline = time.Now().Add(5 * time.Second)
	inflight := make(chan int, 1)
	go func() {
		resp, err := http.Get(base + "/v1/orders/sleep-300")
		if err != nil {
			inflight <- -1
			return
		}
		resp.Body.Close()
		inflight <- resp.StatusCode
	}()
	for len(fb.recorded()) == 0 { // wait until the request is at the backend
		if time.Now().After(deadline) {
			t.Fatal("request never reached the backend")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()

	if code := <-inflight; code != http.StatusOK {
		t.Fatalf("in-flight request: %d", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

// A request hanging on its backend does not hold the shutdown: after SHUTDOWN_GRACE_MS its
// connection is closed and Run returns (with an error: the shutdown was not graceful).
func TestRunShutdownBoundedByGrace(t *testing.T) {
	fb := startFakeBackend(t)
	cfg := testConfig(fb.addr)
	cfg.HTTPAddr = freeAddr(t)
	cfg.RequestTimeout = 30 * time.Second
	cfg.ShutdownGrace = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, NewLogger(io.Discard, slog.LevelError), nil) }()

	base := "http://" + cfg.HTTPAddr
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("edge did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	go func() {
		if resp, err := http.Get(base + "/v1/orders/slow"); err == nil {
			resp.Body.Close()
		}
	}()
	for len(fb.recorded()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("request never reached the backend")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t0 := time.Now()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Run reported a graceful shutdown although a request was cut off")
		}
		if took := time.Since(t0); took < 250*time.Millisecond || took > 3*time.Second {
			t.Errorf("Run returned %v after the signal (grace 300ms)", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return: the grace period does not bound the shutdown")
	}
}
