package edge

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(envOf(nil)) // the spec is found from the working directory
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:8080" || cfg.MaxBodyBytes != 16384 || cfg.RequestTimeout != 10*time.Second ||
		cfg.LogLevel != slog.LevelInfo || len(cfg.CORSAllowedOrigins) != 0 {
		t.Errorf("defaults: %+v", cfg)
	}
	want := map[string]string{"users": "127.0.0.1:50051", "catalog": "127.0.0.1:50052",
		"inventory": "127.0.0.1:50053", "orders": "127.0.0.1:50056"}
	for _, b := range cfg.Backends {
		if want[b.Name] != b.Target {
			t.Errorf("backend %s = %s", b.Name, b.Target)
		}
	}
	if filepath.Base(cfg.OpenAPIPath) != OpenAPIFileName {
		t.Errorf("OpenAPIPath = %s", cfg.OpenAPIPath)
	}
}

func TestConfigFromEnv(t *testing.T) {
	cfg, err := LoadConfig(envOf(map[string]string{
		"EDGE_HTTP_ADDR":            ":9090",
		"ORDERS_ADDR":               "dns:///orders.shop.svc.cluster.local:50056",
		"CATALOG_ADDR":              "catalog:50052",
		"EDGE_MAX_BODY_BYTES":       "2048",
		"EDGE_REQUEST_TIMEOUT":      "1500ms",
		"EDGE_CORS_ALLOWED_ORIGINS": " https://Shop.Example.com , http://localhost:5173 ",
		"EDGE_OPENAPI_PATH":         repoSpec,
		"LOG_LEVEL":                 "DEBUG",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != ":9090" || cfg.MaxBodyBytes != 2048 || cfg.RequestTimeout != 1500*time.Millisecond ||
		cfg.LogLevel != slog.LevelDebug || cfg.OpenAPIPath != repoSpec {
		t.Errorf("cfg: %+v", cfg)
	}
	if !slices.Equal(cfg.CORSAllowedOrigins, []string{"https://shop.example.com", "http://localhost:5173"}) {
		t.Errorf("origins %v", cfg.CORSAllowedOrigins)
	}
	if cfg.Backends[3].Target != "dns:///orders.shop.svc.cluster.local:50056" || cfg.Backends[1].Target != "catalog:50052" {
		t.Errorf("backends %+v", cfg.Backends)
	}
}

// Every invalid value fails, and the message names the variable.
func TestConfigRejectsBadValues(t *testing.T) {
	cases := map[string]string{
		"EDGE_HTTP_ADDR":            "8080",
		"USERS_ADDR":                "localhost",
		"CATALOG_ADDR":              "catalog:0",
		"INVENTORY_ADDR":            ":50053",
		"ORDERS_ADDR":               "orders:99999",
		"EDGE_MAX_BODY_BYTES":       "1MB",
		"EDGE_REQUEST_TIMEOUT":      "10",
		"EDGE_CORS_ALLOWED_ORIGINS": "https://shop.example.com/",
		"EDGE_OPENAPI_PATH":         "/nonexistent/spec.json",
		"LOG_LEVEL":                 "loud",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(envOf(map[string]string{name: value, "EDGE_OPENAPI_PATH": orDefault(name, value)}))
			if err == nil || !strings.Contains(err.Error(), name+"=") {
				t.Fatalf("err = %v, want one naming %s", err, name)
			}
		})
	}
	more := map[string][]string{
		"EDGE_MAX_BODY_BYTES":       {"0", "-5", "999999999999"},
		"EDGE_REQUEST_TIMEOUT":      {"0s", "-1s", "1h", "soon"},
		"EDGE_CORS_ALLOWED_ORIGINS": {"shop.example.com", "ftp://x.example.com", "https://x.example.com/app", ","},
	}
	for name, values := range more {
		for _, v := range values {
			_, err := LoadConfig(envOf(map[string]string{name: v, "EDGE_OPENAPI_PATH": repoSpec}))
			if err == nil || !strings.Contains(err.Error(), name+"=") {
				t.Errorf("%s=%q: err = %v", name, v, err)
			}
		}
	}
	// Several problems are reported together.
	_, err := LoadConfig(envOf(map[string]string{"USERS_ADDR": "x", "LOG_LEVEL": "x", "EDGE_OPENAPI_PATH": repoSpec}))
	if err == nil || !strings.Contains(err.Error(), "USERS_ADDR=") || !strings.Contains(err.Error(), "LOG_LEVEL=") {
		t.Errorf("err = %v", err)
	}
}

func orDefault(name, value string) string {
	if name == "EDGE_OPENAPI_PATH" {
		return value
	}
	return repoSpec
}

// The container copies the spec next to the binary.
func TestFindOpenAPISpecNextToExecutable(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, OpenAPIFileName)
	if err := os.WriteFile(spec, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := findOpenAPISpec(t.TempDir(), filepath.Join(dir, "gateway"))
	if err != nil || got != spec {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := findOpenAPISpec(t.TempDir(), filepath.Join(t.TempDir(), "gateway")); err == nil {
		t.Fatal("found a spec where there is none")
	}
}

func TestConfigShutdown(t *testing.T) {
	cfg, err := LoadConfig(envOf(map[string]string{"EDGE_REQUEST_TIMEOUT": "2s"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ShutdownGrace != 7*time.Second || cfg.ShutdownDeadline != 17*time.Second || cfg.LifelineFD != 0 {
		t.Errorf("defaults: grace %v deadline %v lifeline %d", cfg.ShutdownGrace, cfg.ShutdownDeadline, cfg.LifelineFD)
	}
	cfg, err = LoadConfig(envOf(map[string]string{
		"SHUTDOWN_GRACE_MS": "10000", "SHUTDOWN_DEADLINE_MS": "15s", "MESHCART_LIFELINE_FD": "3",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ShutdownGrace != 10*time.Second || cfg.ShutdownDeadline != 15*time.Second || cfg.LifelineFD != 3 {
		t.Errorf("from env: grace %v deadline %v lifeline %d", cfg.ShutdownGrace, cfg.ShutdownDeadline, cfg.LifelineFD)
	}
	for _, env := range []map[string]string{
		{"SHUTDOWN_GRACE_MS": "soon"},
		{"SHUTDOWN_GRACE_MS": "-5"},
		{"SHUTDOWN_GRACE_MS": "10000", "SHUTDOWN_DEADLINE_MS": "10000"}, // no room after the grace
		{"SHUTDOWN_DEADLINE_MS": "1h"},
		{"MESHCART_LIFELINE_FD": "1"},
	} {
		_, err := LoadConfig(envOf(env))
		if err == nil {
			t.Errorf("%v accepted", env)
			continue
		}
		for k := range env {
			if k == "SHUTDOWN_GRACE_MS" && len(env) > 1 {
				continue // the deadline is the variable at fault
			}
			if !strings.Contains(err.Error(), k) {
				t.Errorf("%v: error does not name %s: %v", env, k, err)
			}
		}
	}
}
