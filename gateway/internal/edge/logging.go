package edge

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
)

// serviceName is the service attribute of every log line.
const serviceName = "edge"

// NewLogger returns the edge's JSON logger; lines logged with a request context carry the
// trace_id and span_id of its span. w may be a *LogWriter (main) or any io.Writer; writes
// to it are serialised.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	lw := &lockedWriter{w: w}
	json := slog.NewJSONHandler(lw, &slog.HandlerOptions{Level: level})
	return slog.New(traceLogHandler{
		Handler: json.WithAttrs([]slog.Attr{slog.String("service", serviceName)}),
		access:  &accessLineWriter{w: lw, service: serviceName},
	})
}

// lockedWriter serialises the JSON handler's writes and accessLineWriter's.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
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
// It never logs headers (Authorization!), query strings or bodies. With a logger from
// NewLogger the line is encoded directly (accessLineWriter); any other logger gets the
// same attributes through slog.
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	var lines *accessLineWriter
	if h, ok := logger.Handler().(traceLogHandler); ok {
		lines = h.access
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			now := time.Now()
			e := accessEntry{
				level:     slog.LevelInfo,
				method:    r.Method,
				path:      r.URL.Path,
				status:    rec.status,
				duration:  now.Sub(start),
				bytes:     rec.bytes,
				requestID: r.Header.Get(headerRequestID),
			}
			if e.status == 0 {
				e.status = http.StatusOK
			}
			switch {
			case e.path == "/healthz" || e.path == "/readyz":
				// Probes hit these every few seconds: debug when fine, warn when not.
				e.level = slog.LevelDebug
				if e.status >= 500 {
					e.level = slog.LevelWarn
				}
			case e.status >= 500:
				e.level = slog.LevelError
			}
			ctx := r.Context()
			if !logger.Enabled(ctx, e.level) {
				return
			}
			// With tracing on, the line carries the server span's ids; without, the
			// caller's traceparent still correlates it.
			e.span = trace.SpanContextFromContext(ctx)
			if !e.span.IsValid() {
				e.headerTraceID = traceID(r.Header.Get(headerTraceparent))
			}
			if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
				e.remoteIP = host
			}
			if lines != nil {
				lines.write(now, &e)
				return
			}
			logger.LogAttrs(ctx, e.level, accessMsg, e.attrs()...)
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
