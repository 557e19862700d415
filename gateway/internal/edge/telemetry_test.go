package edge

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

func telEnv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestTelemetryConfig(t *testing.T) {
	c, err := LoadTelemetryConfig(telEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ServiceName != "edge" || len(c.Traces) != 0 || len(c.Metrics) != 0 || c.MetricsAddr != "0.0.0.0:9471" {
		t.Errorf("defaults = %+v", c)
	}
	c, err = LoadTelemetryConfig(telEnv(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"METRICS_PORT": "19471", "METRICS_HOST": "127.0.0.1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Traces, ",") != "otlp" || strings.Join(c.Metrics, ",") != "otlp" || c.TracesProtocol != "grpc" || c.MetricsAddr != "127.0.0.1:19471" {
		t.Errorf("with endpoint = %+v", c)
	}
	c, _ = LoadTelemetryConfig(telEnv(map[string]string{"OTEL_TRACES_EXPORTER": "file", "MESHCART_OTEL_FILE": "/x/edge.spans.jsonl", "OTEL_METRICS_EXPORTER": "none"}))
	if strings.Join(c.Traces, ",") != "file" || c.SpanFile != "/x/edge.spans.jsonl" || c.MetricFile != "/x/edge.metrics.jsonl" || c.MetricsAddr != "" {
		t.Errorf("file/none = %+v", c)
	}
	_, err = LoadTelemetryConfig(telEnv(map[string]string{"OTEL_TRACES_EXPORTER": "jaeger", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "METRICS_PORT": "x", "OTEL_SDK_DISABLED": "maybe"}))
	for _, v := range []string{"OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_PROTOCOL", "METRICS_PORT", "OTEL_SDK_DISABLED"} {
		if err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("error %v does not name %s", err, v)
		}
	}
}

func readSpans(t *testing.T, path string) []spanLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []spanLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s spanLine
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("bad span line %q: %v", sc.Text(), err)
		}
		out = append(out, s)
	}
	return out
}

// With telemetry on, the edge continues the caller's trace with a server span named after the
// route, makes a client span per backend call whose traceparent reaches the backend, puts the
// ids on its access log line and serves HTTP and RPC metrics on /metrics. Probes stay out.
func TestTelemetryEndToEnd(t *testing.T) {
	file := filepath.Join(t.TempDir(), "edge.spans.jsonl")
	cfg, err := LoadTelemetryConfig(telEnv(map[string]string{"OTEL_TRACES_EXPORTER": "file", "MESHCART_OTEL_FILE": file, "OTEL_SERVICE_NAME": "edge-test"}))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MetricsAddr = "127.0.0.1:0"
	tel, err := StartTelemetry(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = tel.Shutdown(context.Background())
		// Later tests expect the no-op globals (raw traceparent forwarding).
		otel.SetTracerProvider(tracenoop.NewTracerProvider())
		otel.SetMeterProvider(metricnoop.NewMeterProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})

	e := newTestEdge(t, nil)
	if rec := e.do(t, http.MethodGet, "/healthz", ""); rec.Code != 200 {
		t.Fatalf("healthz %d", rec.Code)
	}
	rec := e.do(t, http.MethodGet, "/v1/orders/o-1", "", "Traceparent", testTraceparent, "Authorization", "Bearer tel-secret")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}

	spans := readSpans(t, file)
	if len(spans) != 2 {
		t.Fatalf("want a server and a client span, got %+v", spans)
	}
	server, client := spans[1], spans[0] // the client span ends first
	if server.Kind != "SERVER" || client.Kind != "CLIENT" {
		t.Fatalf("kinds: %+v", spans)
	}
	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	if server.TraceID != traceID || server.ParentSpanID != callerSpan || client.TraceID != traceID || client.ParentSpanID != server.SpanID {
		t.Errorf("trace tree wrong: server %+v client %+v", server, client)
	}
	if server.Name != "GET /v1/orders/{order_id}" {
		t.Errorf("server span name %q", server.Name)
	}
	if server.Attributes["http.route"] == nil || server.Service != "edge-test" {
		t.Errorf("server span %+v", server)
	}
	if client.Name != "shop.orders.v1.OrderService/GetOrder" || client.Attributes["rpc.system"] != "grpc" ||
		client.Attributes["rpc.service"] != "shop.orders.v1.OrderService" || client.Attributes["rpc.method"] != "GetOrder" {
		t.Errorf("client span %+v", client)
	}
	raw, _ := os.ReadFile(file)
	if strings.Contains(string(raw), "tel-secret") || strings.Contains(strings.ToLower(string(raw)), "authorization") {
		t.Errorf("spans leak the Authorization header: %s", raw)
	}

	// The backend sees the client span as its parent.
	if got := e.backend.lastCall(t).md.Get("traceparent"); len(got) != 1 || got[0] != "00-"+traceID+"-"+client.SpanID+"-01" {
		t.Errorf("backend traceparent = %q, want parent %s", got, client.SpanID)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"trace_id":"`+traceID+`"`) || !strings.Contains(logs, `"span_id":"`+server.SpanID+`"`) {
		t.Errorf("access log lacks the span ids:\n%s", logs)
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Count(line, `"trace_id"`) > 1 {
			t.Errorf("trace_id written twice: %s", line)
		}
	}

	// A request the edge answers itself is counted by reason (the refusals SREs alert on).
	if rec := e.do(t, http.MethodPost, "/v1/users", `{"displayName":"`+strings.Repeat("x", 20<<10)+`"}`); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("POST /v1/users with a 20 KiB body: %d", rec.Code)
	}

	resp, err := http.Get("http://" + tel.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	for _, want := range []string{`http_server_request_duration_seconds_count{`, `http_route="`, `rpc_client_duration_milliseconds_count{`, `rpc_method="GetOrder"`,
		`edge_requests_refused_total{http_response_status_code="413",`, `reason="REQUEST_BODY_TOO_LARGE"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(string(body), `/healthz`) {
		t.Errorf("probes are counted:\n%s", body)
	}
}

// Telemetry on but nothing exported (no trace exporter, no metrics: the bench stack): the
// otel handlers are left out, and what the propagator carries (traceparent, tracestate,
// baggage) still reaches the backend, as it came; the access line has the caller's trace id.
func TestPropagationOnlySkipsOtelHandlers(t *testing.T) {
	tel, err := StartTelemetry(context.Background(), TelemetryConfig{ServiceName: "edge-test"}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = tel.Shutdown(context.Background())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	if otelActive() {
		t.Fatal("otelActive with no provider installed")
	}
	e := newTestEdge(t, nil)
	const baggage = "tenant=t1,plan=gold"
	rec := e.do(t, http.MethodGet, "/v1/orders/o-1", "", "Traceparent", testTraceparent, "Tracestate", testTracestate, "Baggage", baggage)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	md := e.backend.lastCall(t).md
	for k, v := range map[string]string{"traceparent": testTraceparent, "tracestate": testTracestate, "baggage": baggage} {
		if got := md.Get(k); len(got) != 1 || got[0] != v {
			t.Errorf("metadata %s = %q, want [%q]", k, got, v)
		}
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`) {
		t.Errorf("access log lacks the caller's trace id:\n%s", logs)
	}
}
