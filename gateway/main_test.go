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
