package edge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.opentelemetry.io/otel"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
)

// Server is the JSON edge: grpc-gateway over the public services plus /healthz,
// /readyz and /openapi.json, wrapped in the edge's middleware.
type Server struct {
	cfg      Config
	logger   *slog.Logger
	backends []*backend
	spec     []byte
	errs     *errorWriter
	jwks     *jwksSource // nil when no JWKS is configured
	guard    *routeGuard
	handler  http.Handler
}

// New loads the OpenAPI spec, dials the backends (lazily, see dialBackends) and builds
// the HTTP handler. extra dial options are for tests.
func New(ctx context.Context, cfg Config, logger *slog.Logger, extra ...grpc.DialOption) (*Server, error) {
	spec, err := LoadOpenAPI(cfg.OpenAPIPath)
	if err != nil {
		return nil, fmt.Errorf("EDGE_OPENAPI_PATH=%q: %w", cfg.OpenAPIPath, err)
	}
	// otelhttp/otelgrpc only when a provider is installed (see otelActive); otherwise the
	// propagator's headers are forwarded as they came.
	instrument := otelActive()
	var propagated []string
	if !instrument {
		propagated = otel.GetTextMapPropagator().Fields()
	}
	bs, err := dialBackends(cfg.Backends, instrument, extra...)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, logger: logger, backends: bs, spec: spec, jwks: newJWKSSource(cfg, logger)}
	s.errs = &errorWriter{marshaler: newMarshaler(), logger: logger, refused: newRefusedCounter()}
	s.guard = s.newRouteGuard()

	muxOpts := []runtime.ServeMuxOption{
		runtime.WithMarshalerOption(runtime.MIMEWildcard, s.errs.marshaler),
		runtime.WithIncomingHeaderMatcher(incomingHeaderMatcher(propagated)),
		runtime.WithOutgoingHeaderMatcher(outgoingHeaderMatcher),
		runtime.WithOutgoingTrailerMatcher(outgoingHeaderMatcher),
		runtime.WithErrorHandler(s.errs.handle),
		runtime.WithRoutingErrorHandler(s.errs.routing),
		// No POST-as-GET form fallback and no X-HTTP-Method-Override: a wrong method is 405.
		runtime.WithDisablePathLengthFallback(),
		runtime.WithWriteContentLength(),
		// x-client-ip on every proxied call (clientip.go).
		runtime.WithMetadata(clientIPAnnotator),
	}
	if instrument {
		muxOpts = append(muxOpts, runtime.WithMiddlewares(routeMiddleware))
	}
	// After routing, before the body is read: rate limits, token check, body limits.
	muxOpts = append(muxOpts, runtime.WithMiddlewares(s.guard.middleware))
	mux := runtime.NewServeMux(muxOpts...)
	if err := registerPublicServices(ctx, mux, bs); err != nil {
		_ = closeBackends(bs)
		return nil, err
	}

	api := checkAuthorization(s.errs, withDeadline(cfg.RequestTimeout, mux))
	h := s.routes(api, newInFlightLimiter(cfg.MaxInFlight))
	h = withClientIP(cfg.TrustedProxyHops, h)
	h = newCORS(cfg.CORSAllowedOrigins, s.errs).wrap(h)
	h = withRequestID(h)
	h = recoverPanics(logger, s.errs, h)
	h = accessLog(logger, h)
	if instrument {
		// The server span wraps everything, so the access log line carries its trace id.
		h = withTracing(h)
	}
	s.handler = h
	return s, nil
}

// newMarshaler: protojson, lowerCamelCase JSON names, every field emitted (int64 as
// strings, enums as names), unknown input fields rejected (-> 400).
func newMarshaler() jsonMarshaler {
	return jsonMarshaler{&runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{UseProtoNames: false, EmitUnpopulated: true},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}}
}

// newRouteGuard builds the per-route checks from the config (guard.go).
func (s *Server) newRouteGuard() *routeGuard {
	g := &routeGuard{ew: s.errs, logger: s.logger, bodyLimit: s.cfg.MaxBodyBytes,
		orderBodyLimit: s.cfg.MaxOrderBodyBytes, budget: newBodyBudget(s.cfg.BodyBufferBytes)}
	for _, spec := range s.cfg.RateLimits {
		if !spec.Off {
			g.limiter = newRateLimiter(s.cfg.RateLimits, s.cfg.RateLimitMaxBuckets, time.Now)
			break
		}
	}
	if s.jwks != nil {
		g.verifier = &tokenVerifier{issuer: s.cfg.JWTIssuer, audience: s.cfg.JWTAudience, keys: s.jwks.keys, now: time.Now}
	}
	return g
}

// Handler is the edge's complete HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close closes the backend connections.
func (s *Server) Close() error { return closeBackends(s.backends) }

// routes serves the edge's own endpoints and hands everything else to grpc-gateway. The
// probes are exempt from the in-flight cap (a busy edge is alive and ready; shedding is
// its answer to load, not a reason to restart it or take it out of the load balancer).
func (s *Server) routes(api http.Handler, inFlight *inFlightLimiter) http.Handler {
	ready := http.HandlerFunc(s.readyz)
	spec := serveOpenAPI(s.spec)
	jwks := s.jwks
	rest := inFlight.wrap(s.errs, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/openapi.json":
			s.getOnly(w, r, spec)
		case JWKSPath:
			if jwks == nil {
				api.ServeHTTP(w, r) // not configured: the gateway's own 404
				return
			}
			s.getOnly(w, r, jwks)
		default:
			api.ServeHTTP(w, r)
		}
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			s.getOnly(w, r, http.HandlerFunc(healthz))
		case "/readyz":
			s.getOnly(w, r, ready)
		default:
			rest.ServeHTTP(w, r)
		}
	})
}

func (s *Server) getOnly(w http.ResponseWriter, r *http.Request, h http.Handler) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.errs.writeError(w, r, newEdgeError(http.StatusMethodNotAllowed, codes.Unimplemented, ReasonMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path, nil))
		return
	}
	h.ServeHTTP(w, r)
}

// HTTPServer returns the http.Server with the edge's timeouts:
//   - ReadHeaderTimeout: min(EDGE_REQUEST_TIMEOUT, 5s)
//   - ReadTimeout: EDGE_REQUEST_TIMEOUT (headers + body)
//   - WriteTimeout: 2*EDGE_REQUEST_TIMEOUT + 5s (body read + the gRPC deadline + writing,
//     so a 504 for an expired deadline still reaches the client)
//   - IdleTimeout: 120s (keep-alive)
func (s *Server) HTTPServer() *http.Server {
	t := s.cfg.RequestTimeout
	return &http.Server{
		Addr:              s.cfg.HTTPAddr,
		Handler:           s.handler,
		ReadHeaderTimeout: min(t, 5*time.Second),
		ReadTimeout:       t,
		WriteTimeout:      2*t + 5*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
}

// Run serves until ctx is cancelled (SIGTERM/SIGINT or a lost lifeline in main), then shuts
// down gracefully: stop accepting, let in-flight requests finish within the grace period
// (SHUTDOWN_GRACE_MS, never past the deadline), close the connections still open, then the
// backend connections. dl (nil in tests) is armed when ctx ends and told each step, so main
// can give up on whatever hangs.
func Run(ctx context.Context, cfg Config, logger *slog.Logger, dl *ShutdownDeadline) error {
	s, err := New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	closeBackends := sync.OnceValue(s.Close)
	defer func() { _ = closeBackends() }()

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("EDGE_HTTP_ADDR=%q: %w", cfg.HTTPAddr, err)
	}
	srv := s.HTTPServer()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	targets := make([]string, 0, len(cfg.Backends))
	for _, b := range cfg.Backends {
		targets = append(targets, b.Name+"="+b.Target)
	}
	logger.Info("edge listening",
		slog.String("addr", ln.Addr().String()),
		slog.String("backends", strings.Join(targets, " ")),
		slog.String("routes", strings.Join(openAPIPaths(s.spec), " ")),
		slog.Int64("max_body_bytes", cfg.MaxBodyBytes),
		slog.Int64("max_order_body_bytes", cfg.MaxOrderBodyBytes),
		slog.String("body_buffer_bytes", offOr(cfg.BodyBufferBytes)),
		slog.String("max_in_flight", offOr(int64(cfg.MaxInFlight))),
		slog.String("rate_limit_auth", rateOf(cfg, classAuth)),
		slog.String("rate_limit_order", rateOf(cfg, classOrder)),
		slog.String("rate_limit_read", rateOf(cfg, classRead)),
		slog.Int("rate_limit_max_buckets", cfg.RateLimitMaxBuckets),
		slog.Int("trusted_proxy_hops", cfg.TrustedProxyHops),
		slog.Bool("token_check", s.jwks != nil),
		slog.String("request_timeout", cfg.RequestTimeout.String()),
		slog.Any("cors_allowed_origins", cfg.CORSAllowedOrigins),
		slog.String("openapi", cfg.OpenAPIPath))
	if s.jwks == nil {
		logger.Warn("no JWKS (JWT_PUBLIC_KEYS_FILE / JWT_PUBLIC_KEYS): tokens are not checked at the edge; " +
			"rate limits are per client address only, and protected routes buffer bodies before the backend refuses")
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	dl.Start()
	reason := "signal"
	if errors.Is(context.Cause(ctx), ErrLifelineLost) {
		reason = "lifeline lost"
	}
	logger.Info("shutting down", slog.String("reason", reason),
		slog.Int64("grace_ms", cfg.shutdownGrace().Milliseconds()),
		slog.Int64("deadline_ms", dl.Remaining().Milliseconds()))
	dl.Step(StepHTTPServer)
	grace := min(cfg.shutdownGrace(), dl.Remaining())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var graceErr error
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Requests still running past the grace period (a hung backend): cut them off.
		logger.Warn("grace period over: closing open connections", slog.Int64("grace_ms", grace.Milliseconds()))
		_ = srv.Close()
		graceErr = fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) && graceErr == nil {
		graceErr = fmt.Errorf("http server: %w", err)
	}
	dl.Step(StepBackends)
	_ = closeBackends()
	if graceErr != nil {
		return graceErr
	}
	logger.Info("stopped")
	return nil
}

// offOr renders a limit for the startup line: "off" for 0.
func offOr(n int64) string {
	if n <= 0 {
		return "off"
	}
	return strconv.FormatInt(n, 10)
}

// rateOf renders a class's rate for the startup line ("off" when not limited).
func rateOf(cfg Config, c rateClass) string {
	if spec, ok := cfg.RateLimits[c]; ok {
		return spec.String()
	}
	return "off"
}

// ErrLifelineLost is the cancel cause main gives Run's context when the supervisor's lifeline
// closes (logged as the shutdown reason).
var ErrLifelineLost = errors.New("lifeline lost")
