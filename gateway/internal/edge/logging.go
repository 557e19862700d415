package edge

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
)

// NewLogger returns the edge's JSON logger; lines logged with a request context carry the
// trace_id and span_id of its span.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(traceLogHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})}).With(slog.String("service", "edge"))
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// accessLog writes one JSON line per request: method, path, status, duration and ids.
// It never logs headers (Authorization!), query strings or bodies.
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			level := slog.LevelInfo
			switch {
			case r.URL.Path == "/healthz" || r.URL.Path == "/readyz":
				// Probes hit these every few seconds: debug when fine, warn when not.
				level = slog.LevelDebug
				if status >= 500 {
					level = slog.LevelWarn
				}
			case status >= 500:
				level = slog.LevelError
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.Int64("bytes", rec.bytes),
				slog.String("request_id", r.Header.Get(headerRequestID)),
			}
			// With tracing on, the log handler adds the server span's ids; without, the
			// caller's traceparent still correlates the line.
			if !trace.SpanContextFromContext(r.Context()).IsValid() {
				if id := traceID(r.Header.Get(headerTraceparent)); id != "" {
					attrs = append(attrs, slog.String("trace_id", id))
				}
			}
			if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
				attrs = append(attrs, slog.String("remote_ip", host))
			}
			logger.LogAttrs(r.Context(), level, "http request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recoverPanics turns a handler panic into a 500 Status body (and a log line with the
// panic value) instead of a dropped connection.
func recoverPanics(logger *slog.Logger, ew *errorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			logger.Error("handler panic", slog.Any("panic", v), slog.String("path", r.URL.Path))
			ew.writeError(w, r, newEdgeError(http.StatusInternalServerError, codes.Internal, "INTERNAL", "internal error", nil))
		}()
		next.ServeHTTP(w, r)
	})
}
