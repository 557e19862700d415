package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
)

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })

func serveTest(h http.Handler, target string, headers ...string) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	h.ServeHTTP(httptest.NewRecorder(), req)
}

var timeField = regexp.MustCompile(`^\{"time":"[^"]+",`)

// The hand-encoded access line is byte for byte what slog writes for the same attributes
// through the same logger (time aside).
func TestAccessLineMatchesSlog(t *testing.T) {
	span := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:  trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
	})
	entries := []accessEntry{
		{level: slog.LevelInfo, method: "GET", path: "/v1/products/SKU-1", status: 200, duration: 1234567 * time.Nanosecond,
			bytes: 187, requestID: "0123456789abcdef0123456789abcdef", remoteIP: "127.0.0.1"},
		{level: slog.LevelError, method: "POST", path: "/v1/orders", status: 503, duration: 0,
			requestID: "r-1", headerTraceID: "4bf92f3577b34da6a3ce929d0e0e4736"},
		{level: slog.LevelWarn, method: "GET", path: "/readyz", status: 503, duration: 3 * time.Second, remoteIP: "::1", span: span},
		{level: slog.LevelDebug, method: "GET", path: "/healthz", status: 200, duration: 999 * time.Microsecond},
		{level: slog.LevelInfo, method: "G\"ET", path: "/v1/products/\"<&>\\\n\t\r\x00\x1f\x7fé\u2028\u2029\xff/x", status: 404,
			duration: time.Hour, bytes: 1 << 40, requestID: "a/b+c=d:e", remoteIP: "2001:db8::1", span: span},
	}
	for _, e := range entries {
		out := &syncBuffer{}
		logger := NewLogger(out, slog.LevelDebug)
		h := logger.Handler().(traceLogHandler)
		ctx := context.Background()
		if e.span.IsValid() {
			ctx = trace.ContextWithSpanContext(ctx, e.span)
		}
		slog.New(traceLogHandler{Handler: h.Handler}).LogAttrs(ctx, e.level, accessMsg, e.attrs()...)
		want := timeField.ReplaceAllString(out.String(), "")
		out.b.Reset()
		h.access.write(time.Now(), &e)
		got := timeField.ReplaceAllString(out.String(), "")
		if got != want {
			t.Errorf("access line differs from slog's\n got: %s\nwant: %s", got, want)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out.String()), &m); err != nil {
			t.Errorf("not JSON: %v", err)
		}
		if _, err := time.Parse(time.RFC3339Nano, m["time"].(string)); err != nil {
			t.Errorf("time: %v", err)
		}
	}
}

// slogQuoted is how slog's JSON handler writes s as a value.
func slogQuoted(s string) string {
	var buf bytes.Buffer
	drop := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey {
			return slog.Attr{}
		}
		return a
	}
	slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: drop})).Info("", "k", s)
	return strings.TrimSuffix(strings.TrimPrefix(buf.String(), `{"k":`), "}\n")
}

func TestAppendJSONStringMatchesSlog(t *testing.T) {
	cases := []string{"", "plain", `"`, `\`, "\n\r\t\b\f\x00\x01\x1f\x7f", "<a href='x'>&amp;</a>", "é€😀", "\u2028\u2029",
		"\xff", "a\xc3", "\xed\xa0\x80", "ok\xe2\x80"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := string(appendJSONString(nil, s)), slogQuoted(s); got != want {
			t.Fatalf("appendJSONString(%q) = %s, slog writes %s", s, got, want)
		}
	}
}

func TestAppendJSONFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 0.001, 0.5, 1, 1.234, 12.5, 999.999, 1e6, 3.6e6, 1e-7, 1.5e-9, 1e21, 1e300, -2.5} {
		want, _ := json.Marshal(f)
		if got := appendJSONFloat(nil, f); string(got) != string(want) {
			t.Errorf("appendJSONFloat(%v) = %s, json.Marshal = %s", f, got, want)
		}
	}
}

// A logger not made by NewLogger gets the same attributes through slog.
func TestAccessLogWithAnyLogger(t *testing.T) {
	var buf bytes.Buffer
	h := accessLog(slog.New(slog.NewJSONHandler(&buf, nil)), okHandler)
	serveTest(h, "/v1/stock/SKU-9", "Traceparent", testTraceparent)
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	if m["msg"] != accessMsg || m["path"] != "/v1/stock/SKU-9" || m["status"] != 200.0 || m["bytes"] != 2.0 ||
		m["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" || m["remote_ip"] != "192.0.2.1" {
		t.Fatalf("line: %s", buf.String())
	}
}

// Probes log at debug: nothing at info level.
func TestAccessLogLevels(t *testing.T) {
	out := &syncBuffer{}
	h := accessLog(NewLogger(out, slog.LevelInfo), okHandler)
	serveTest(h, "/healthz")
	if out.String() != "" {
		t.Fatalf("probe logged at info: %s", out.String())
	}
	serveTest(h, "/v1/products/SKU-1")
	if !strings.Contains(out.String(), `"level":"INFO","msg":"http request","service":"edge","method":"GET","path":"/v1/products/SKU-1","status":200,`) {
		t.Fatalf("line: %s", out.String())
	}
}
