package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// With MESHCART_EDGE_MAIN=1 the test binary is the edge (see TestSIGTERMFlushesLogs).
func TestMain(m *testing.M) {
	if os.Getenv("MESHCART_EDGE_MAIN") == "1" {
		os.Exit(run())
	}
	os.Exit(m.Run())
}

// On SIGTERM the process shuts down gracefully, exits 0 and every access log line still
// buffered in memory reaches stdout, followed by the shutdown lines.
func TestSIGTERMFlushesLogs(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()

	var stdout, stderr bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"MESHCART_EDGE_MAIN=1",
		"EDGE_HTTP_ADDR="+addr,
		"EDGE_OPENAPI_PATH="+filepath.Join("..", "gen", "openapi", "meshcart.swagger.json"),
		"LOG_LEVEL=debug", // probes are logged at debug
		"OTEL_SDK_DISABLED=true",
		"METRICS_PORT=0",
		// Never contacted (only /healthz is called); no real service is reached by accident.
		"USERS_ADDR=127.0.0.1:1", "CATALOG_ADDR=127.0.0.1:1", "INVENTORY_ADDR=127.0.0.1:1", "ORDERS_ADDR=127.0.0.1:1",
	)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	served := 0
	get := func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		served++
		return resp.StatusCode == http.StatusOK
	}
	deadline := time.Now().Add(10 * time.Second)
	for !get() {
		if time.Now().After(deadline) {
			t.Fatalf("edge did not start; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for range 50 {
		get()
	}
	// At once: most of these lines are still in the buffer (flushed every 200ms).
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("edge did not stop after SIGTERM")
	}

	if stdout.Len() == 0 {
		t.Fatal("nothing reached stdout: the log buffer was not flushed on the way out")
	}
	accessLines, msgs := 0, []string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		msg, _ := m["msg"].(string)
		if msg == "http request" && m["path"] == "/healthz" {
			accessLines++
			continue
		}
		msgs = append(msgs, msg)
	}
	if accessLines != served {
		t.Errorf("%d access lines for %d requests", accessLines, served)
	}
	if n := len(msgs); n < 2 || msgs[n-2] != "shutting down" || msgs[n-1] != "stopped" {
		t.Errorf("last lines are not the shutdown: %q", msgs)
	}
}

// startEdge runs the test binary as the edge (TestMain) with extra env and files (ExtraFiles[0]
// is fd 3 in the child) and waits until /healthz answers.
func startEdge(t *testing.T, extraEnv []string, extraFiles []*os.File) (cmd *exec.Cmd, stdout *bytes.Buffer, exited chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	stdout = &bytes.Buffer{}
	var stderr bytes.Buffer
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"MESHCART_EDGE_MAIN=1",
		"EDGE_HTTP_ADDR="+addr,
		"EDGE_OPENAPI_PATH="+filepath.Join("..", "gen", "openapi", "meshcart.swagger.json"),
		"OTEL_SDK_DISABLED=true",
		"METRICS_PORT=0",
		"USERS_ADDR=127.0.0.1:1", "CATALOG_ADDR=127.0.0.1:1", "INVENTORY_ADDR=127.0.0.1:1", "ORDERS_ADDR=127.0.0.1:1",
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	cmd.ExtraFiles = extraFiles
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			return cmd, stdout, exited
		}
		if time.Now().After(deadline) {
			t.Fatalf("edge did not start; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logLines parses the edge's JSON log lines.
func logLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		lines = append(lines, m)
	}
	return lines
}

// When the supervisor's end of the lifeline closes (it died, even by SIGKILL), the edge shuts
// down exactly as on SIGTERM: exit 0, the shutdown lines logged with reason "lifeline lost".
func TestLifelineLostShutsDown(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	_, stdout, exited := startEdge(t, []string{"MESHCART_LIFELINE_FD=3"}, []*os.File{r})
	_ = r.Close() // only the child holds the read end now
	t0 := time.Now()
	_ = w.Close()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
		t.Logf("exited %v after the lifeline closed", time.Since(t0))
	case <-time.After(5 * time.Second):
		t.Fatal("edge still running 5s after its lifeline closed")
	}
	var reason any
	for _, m := range logLines(t, stdout.String()) {
		if m["msg"] == "shutting down" {
			reason = m["reason"]
		}
	}
	if reason != "lifeline lost" {
		t.Errorf("shutdown reason %v; log:\n%s", reason, stdout.String())
	}
}

// Without MESHCART_LIFELINE_FD an inherited descriptor is not watched: the edge keeps serving
// when it closes, and stops on SIGTERM as usual.
func TestNoLifelineWithoutTheVariable(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd, _, exited := startEdge(t, nil, []*os.File{r})
	_ = r.Close()
	_ = w.Close()
	select {
	case err := <-exited:
		t.Fatalf("edge exited (%v) although it was given no lifeline", err)
	case <-time.After(time.Second):
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("edge did not stop after SIGTERM")
	}
}

// The "edge listening" line quotes every limit in force (load and chaos reports cite it).
func TestStartupLineQuotesLimits(t *testing.T) {
	cmd, stdout, exited := startEdge(t, []string{
		"EDGE_RATE_LIMIT_AUTH=off", "EDGE_RATE_LIMIT_READ=500/s,burst=1000", "EDGE_MAX_IN_FLIGHT=64",
		"EDGE_TRUSTED_PROXY_HOPS=1", "EDGE_BODY_BUFFER_BYTES=off",
	}, nil)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatal("edge did not stop")
	}
	want := map[string]any{
		"rate_limit_auth": "off", "rate_limit_order": "30/m,burst=10", "rate_limit_read": "500/s,burst=1000",
		"max_in_flight": "64", "trusted_proxy_hops": float64(1), "body_buffer_bytes": "off",
		"max_body_bytes": float64(16384), "max_order_body_bytes": float64(262144),
		"rate_limit_max_buckets": float64(100000), "token_check": false,
	}
	for _, l := range logLines(t, stdout.String()) {
		if l["msg"] != "edge listening" {
			continue
		}
		for k, v := range want {
			if l[k] != v {
				t.Errorf("%s = %v, want %v", k, l[k], v)
			}
		}
		return
	}
	t.Fatalf("no edge listening line:\n%s", stdout.String())
}
