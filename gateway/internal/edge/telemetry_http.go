package edge

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"sync"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// otelActive reports whether an SDK tracer or meter provider is installed (StartTelemetry
// with a trace exporter, a push metric exporter or /metrics). Without either, otelhttp and
// otelgrpc would only make non-recording spans and record into no-op instruments, about a
// sixth of the edge's CPU per request, so New leaves them out (and forwards the trace
// headers as they came, see incomingHeaderMatcher).
func otelActive() bool {
	_, traces := otel.GetTracerProvider().(*sdktrace.TracerProvider)
	_, metrics := otel.GetMeterProvider().(*sdkmetric.MeterProvider)
	return traces || metrics
}

// withTracing makes the edge's root server span (W3C traceparent/tracestate of the caller are
// continued) and its HTTP server metrics (http.server.request.duration, ...). Probes are
// neither traced nor counted. It uses the otel globals: no-ops until StartTelemetry ran.
func withTracing(next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, "edge",
		otelhttp.WithFilter(func(r *http.Request) bool {
			return r.URL.Path != "/healthz" && r.URL.Path != "/readyz"
		}),
		// The route is not known yet; routeMiddleware renames the span once it is.
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	)
}

// routeMiddleware names the server span after the matched route ("POST /v1/orders") and adds
// http.route to the span and the HTTP metrics, keeping their cardinality bounded.
func routeMiddleware(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, params map[string]string) {
		if pat, ok := runtime.HTTPPattern(r.Context()); ok {
			route := routeOf(pat)
			span := trace.SpanFromContext(r.Context())
			span.SetName(r.Method + " " + route)
			span.SetAttributes(attribute.String("http.route", route))
			if l, ok := otelhttp.LabelerFromContext(r.Context()); ok {
				l.Add(attribute.String("http.route", route))
			}
		}
		next(w, r, params)
	}
}

var wildcardVar = regexp.MustCompile(`\{([^=}]+)=\*\}`)

// routes caches routeOf per pattern (a handful of routes; saves a regexp per request).
var routeCache sync.Map // pattern string -> route

// routeOf renders a grpc-gateway pattern as its OpenAPI path: /v1/orders/{order_id=*}:cancel
// becomes /v1/orders/{order_id}:cancel.
func routeOf(p runtime.Pattern) string {
	key := p.String()
	if r, ok := routeCache.Load(key); ok {
		return r.(string)
	}
	r := wildcardVar.ReplaceAllString(key, "{$1}")
	routeCache.Store(key, r)
	return r
}

// grpcClientTelemetry adds a client span per backend call (rpc.system/service/method,
// rpc.grpc.status_code), writes its traceparent/tracestate into the outgoing metadata, and
// records rpc.client.* metrics. Health checks (/readyz) are left out.
func grpcClientTelemetry() grpc.DialOption {
	return grpc.WithStatsHandler(otelgrpc.NewClientHandler(
		otelgrpc.WithFilter(filters.Not(filters.HealthCheck())),
	))
}

// traceLogHandler adds trace_id and span_id of the span in the record's context to every
// log line written with a context (access log, backend errors). access is set on the
// logger NewLogger returns only (not on With/WithGroup children): accessLog writes its
// lines through it.
type traceLogHandler struct {
	slog.Handler
	access *accessLineWriter
}

func (h traceLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceLogHandler{Handler: h.Handler.WithAttrs(attrs)}
}

func (h traceLogHandler) WithGroup(name string) slog.Handler {
	return traceLogHandler{Handler: h.Handler.WithGroup(name)}
}
