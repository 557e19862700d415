package edge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// DefaultMetricsPort is the edge's Prometheus port when METRICS_PORT is unset.
const DefaultMetricsPort = 9471

// TelemetryConfig is what the standard OTEL_* variables (plus METRICS_PORT/METRICS_HOST and
// MESHCART_OTEL_FILE) ask for; the same rules as the Node processes (kit telemetry-config.ts).
type TelemetryConfig struct {
	Disabled       bool
	ServiceName    string
	Traces         []string // otlp, console, file
	Metrics        []string // otlp, console, file (push); Prometheus is MetricsAddr
	TracesProtocol string   // grpc | http/protobuf
	MetricsProto   string
	SpanFile       string
	MetricFile     string
	MetricsAddr    string // host:port of /metrics, "" = off
}

var validExporters = map[string]map[string]bool{
	"OTEL_TRACES_EXPORTER":  {"otlp": true, "console": true, "file": true, "none": true},
	"OTEL_METRICS_EXPORTER": {"otlp": true, "console": true, "file": true, "none": true, "prometheus": true},
}

func exporterNames(env string) []string {
	var out []string
	for n := range validExporters[env] {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// LoadTelemetryConfig reads the telemetry variables; every invalid one is reported. OTLP is
// the default exporter only when an OTLP endpoint is configured (no retries to a collector
// that is not there).
func LoadTelemetryConfig(getenv func(string) string) (TelemetryConfig, error) {
	var errs []error
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	c := TelemetryConfig{ServiceName: get("OTEL_SERVICE_NAME")}
	if c.ServiceName == "" {
		c.ServiceName = "edge"
	}
	switch strings.ToLower(get("OTEL_SDK_DISABLED")) {
	case "", "false":
	case "true":
		c.Disabled = true
	default:
		errs = append(errs, fmt.Errorf("OTEL_SDK_DISABLED=%q: must be true or false", get("OTEL_SDK_DISABLED")))
	}
	list := func(name string, dflt []string) []string {
		v := get(name)
		if v == "" {
			return dflt
		}
		var out []string
		for _, e := range strings.Split(v, ",") {
			e = strings.TrimSpace(e)
			if e == "" {
				continue
			}
			if !validExporters[name][e] {
				errs = append(errs, fmt.Errorf("%s=%q: %q is not one of %s", name, v, e, strings.Join(exporterNames(name), ", ")))
				continue
			}
			out = append(out, e)
		}
		return out
	}
	endpoint := func(signal string) bool {
		return get("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || get("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT") != ""
	}
	var dfltTraces, dfltMetrics []string
	if endpoint("TRACES") {
		dfltTraces = []string{"otlp"}
	}
	if endpoint("METRICS") {
		dfltMetrics = []string{"otlp"}
	}
	traces := list("OTEL_TRACES_EXPORTER", dfltTraces)
	metrics := list("OTEL_METRICS_EXPORTER", dfltMetrics)
	metricsOff := false
	for _, t := range traces {
		if t == "none" {
			traces = nil
			break
		}
	}
	for _, m := range metrics {
		if m == "none" {
			metricsOff = true
		}
	}
	c.Traces = traces
	if !metricsOff {
		for _, m := range metrics {
			if m != "prometheus" {
				c.Metrics = append(c.Metrics, m)
			}
		}
	}
	proto := func(signal string) string {
		p := get("OTEL_EXPORTER_OTLP_" + signal + "_PROTOCOL")
		name := "OTEL_EXPORTER_OTLP_" + signal + "_PROTOCOL"
		if p == "" {
			p, name = get("OTEL_EXPORTER_OTLP_PROTOCOL"), "OTEL_EXPORTER_OTLP_PROTOCOL"
		}
		switch p {
		case "":
			return "http/protobuf"
		case "grpc", "http/protobuf":
			return p
		}
		errs = append(errs, fmt.Errorf("%s=%q: the edge supports grpc and http/protobuf", name, p))
		return "http/protobuf"
	}
	c.TracesProtocol, c.MetricsProto = proto("TRACES"), proto("METRICS")
	base := filepath.Join(".data", "otel", regexp.MustCompile(`[^\w.-]`).ReplaceAllString(c.ServiceName, "_"))
	c.SpanFile = get("MESHCART_OTEL_FILE")
	if c.SpanFile == "" {
		c.SpanFile = base + ".spans.jsonl"
	}
	c.MetricFile = get("MESHCART_OTEL_METRICS_FILE")
	if c.MetricFile == "" {
		c.MetricFile = strings.TrimSuffix(strings.TrimSuffix(c.SpanFile, ".jsonl"), ".spans") + ".metrics.jsonl"
	}
	port := DefaultMetricsPort
	if v := get("METRICS_PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 65535 {
			errs = append(errs, fmt.Errorf("METRICS_PORT=%q: must be a port number (0 = no endpoint)", v))
		} else {
			port = n
		}
	}
	host := get("METRICS_HOST")
	if host == "" {
		host = "0.0.0.0"
	}
	if port != 0 && !metricsOff {
		c.MetricsAddr = net.JoinHostPort(host, strconv.Itoa(port))
	}
	return c, errors.Join(errs...)
}

// Telemetry is the running SDK; Shutdown flushes spans and metrics and closes /metrics.
type Telemetry struct {
	// MetricsAddr is where /metrics is served ("" = nowhere).
	MetricsAddr string
	shutdown    []func(context.Context) error
}

// Shutdown flushes and stops everything, within ctx.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	for i := len(t.shutdown) - 1; i >= 0; i-- {
		errs = append(errs, t.shutdown[i](ctx))
	}
	return errors.Join(errs...)
}

// StartTelemetry installs the global tracer and meter providers and the W3C propagator
// (tracecontext + baggage), and serves Prometheus metrics on MetricsAddr. With telemetry
// disabled it installs nothing (the otel globals stay no-ops).
func StartTelemetry(ctx context.Context, c TelemetryConfig, logger *slog.Logger) (*Telemetry, error) {
	t := &Telemetry{}
	if c.Disabled {
		return t, nil
	}
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(
		attribute.String("service.name", c.ServiceName),
		attribute.String("service.namespace", "meshcart"),
	))
	if err != nil {
		return nil, fmt.Errorf("telemetry resource: %w", err)
	}
	fail := func(err error) (*Telemetry, error) {
		_ = t.Shutdown(ctx)
		return nil, err
	}

	// Traces. The sampler comes from OTEL_TRACES_SAMPLER(_ARG) (read by the SDK itself).
	if len(c.Traces) > 0 {
		opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
		for _, name := range c.Traces {
			switch name {
			case "otlp":
				var exp sdktrace.SpanExporter
				if c.TracesProtocol == "grpc" {
					exp, err = otlptracegrpc.New(ctx)
				} else {
					exp, err = otlptracehttp.New(ctx)
				}
				if err != nil {
					return fail(fmt.Errorf("OTLP trace exporter: %w", err))
				}
				opts = append(opts, sdktrace.WithBatcher(exp))
			case "console":
				exp, err := stdouttrace.New(stdouttrace.WithWriter(os.Stderr))
				if err != nil {
					return fail(err)
				}
				opts = append(opts, sdktrace.WithSyncer(exp))
			case "file":
				exp, err := newFileSpanExporter(c.SpanFile)
				if err != nil {
					return fail(fmt.Errorf("MESHCART_OTEL_FILE=%q: %w", c.SpanFile, err))
				}
				opts = append(opts, sdktrace.WithSyncer(exp)) // every span at once: local debugging
			}
		}
		tp := sdktrace.NewTracerProvider(opts...)
		otel.SetTracerProvider(tp)
		t.shutdown = append(t.shutdown, tp.Shutdown)
	}

	// Metrics: the Prometheus endpoint, plus push exporters.
	var readers []sdkmetric.Option
	for _, name := range c.Metrics {
		var exp sdkmetric.Exporter
		switch name {
		case "otlp":
			if c.MetricsProto == "grpc" {
				exp, err = otlpmetricgrpc.New(ctx)
			} else {
				exp, err = otlpmetrichttp.New(ctx)
			}
		case "console":
			exp, err = stdoutmetric.New(stdoutmetric.WithWriter(os.Stderr))
		case "file":
			var f *os.File
			if err = os.MkdirAll(filepath.Dir(c.MetricFile), 0o755); err == nil {
				f, err = os.OpenFile(c.MetricFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			}
			if err == nil {
				exp, err = stdoutmetric.New(stdoutmetric.WithWriter(f))
				t.shutdown = append(t.shutdown, func(context.Context) error { return f.Close() })
			}
		}
		if err != nil {
			return fail(fmt.Errorf("%s metric exporter: %w", name, err))
		}
		readers = append(readers, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)))
	}
	if c.MetricsAddr != "" {
		reg := prometheus.NewRegistry()
		exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
		if err != nil {
			return fail(fmt.Errorf("prometheus exporter: %w", err))
		}
		readers = append(readers, sdkmetric.WithReader(exp))
		ln, err := net.Listen("tcp", c.MetricsAddr)
		if err != nil {
			return fail(fmt.Errorf("METRICS_PORT: cannot listen on %s: %w", c.MetricsAddr, err))
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("metrics endpoint failed", slog.String("err", err.Error()))
			}
		}()
		t.MetricsAddr = ln.Addr().String()
		logger.Info("metrics endpoint listening", slog.String("addr", t.MetricsAddr))
		t.shutdown = append(t.shutdown, srv.Shutdown)
	}
	if len(readers) > 0 {
		mp := sdkmetric.NewMeterProvider(append(readers, sdkmetric.WithResource(res))...)
		otel.SetMeterProvider(mp)
		t.shutdown = append(t.shutdown, mp.Shutdown)
	}
	return t, nil
}
