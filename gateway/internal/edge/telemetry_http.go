package edge

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

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

// routeOf renders a grpc-gateway pattern as its OpenAPI path: /v1/orders/{order_id=*}:cancel
// becomes /v1/orders/{order_id}:cancel.
func routeOf(p runtime.Pattern) string {
	return wildcardVar.ReplaceAllString(p.String(), "{$1}")
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
// log line written with a context (access log, backend errors).
type traceLogHandler struct{ slog.Handler }

func (h traceLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceLogHandler{h.Handler.WithAttrs(attrs)}
}

func (h traceLogHandler) WithGroup(name string) slog.Handler {
	return traceLogHandler{h.Handler.WithGroup(name)}
}
