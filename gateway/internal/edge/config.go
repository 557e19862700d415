package edge

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Backend names, in a fixed order (logs, /readyz output and tests rely on it).
const (
	BackendUsers     = "users"
	BackendCatalog   = "catalog"
	BackendInventory = "inventory"
	BackendOrders    = "orders"
)

// OpenAPIFileName is the generated spec's file name (gen/openapi/<name>, or next to the binary).
const OpenAPIFileName = "meshcart.swagger.json"

// BackendConfig is one gRPC backend the edge proxies to.
type BackendConfig struct {
	Name   string // users, catalog, inventory, orders
	EnvVar string // the variable its address came from (for messages)
	Target string // grpc.NewClient target, e.g. 127.0.0.1:50051 or dns:///orders:50056
}

// Config is the edge's whole configuration; it comes from the environment only.
type Config struct {
	HTTPAddr           string
	Backends           []BackendConfig
	MaxBodyBytes       int64
	RequestTimeout     time.Duration
	CORSAllowedOrigins []string // normalised origins, or "*"; empty = CORS off
	OpenAPIPath        string
	LogLevel           slog.Level
	// ShutdownGrace: how long in-flight requests may finish after SIGTERM before their
	// connections are closed (SHUTDOWN_GRACE_MS, as the services).
	ShutdownGrace time.Duration
	// ShutdownDeadline bounds the whole way out, grace included (SHUTDOWN_DEADLINE_MS).
	ShutdownDeadline time.Duration
	// LifelineFD is the supervisor's pipe (MESHCART_LIFELINE_FD); 0 = none.
	LifelineFD int
	// JWKSFile (JWT_PUBLIC_KEYS_FILE, re-read on change) or JWKSInline (JWT_PUBLIC_KEYS): the
	// signing keys published at /.well-known/jwks.json; neither = not published.
	JWKSFile   string
	JWKSInline string
	// JWTIssuer, JWTAudience: the claims the edge's token check expects (JWT_ISSUER,
	// JWT_AUDIENCE, as the services).
	JWTIssuer   string
	JWTAudience string

	// Abuse resistance (README "Edge limits"). Zero values (a Config built without
	// LoadConfig, as in tests) switch each off.
	//
	// RateLimits: the token bucket of each route class (EDGE_RATE_LIMIT_AUTH/_ORDER/_READ);
	// a class missing from the map is not limited.
	RateLimits map[rateClass]rateSpec
	// RateLimitMaxBuckets caps the buckets kept (EDGE_RATE_LIMIT_MAX_BUCKETS).
	RateLimitMaxBuckets int
	// TrustedProxyHops: proxies in front of the edge that append to X-Forwarded-For
	// (EDGE_TRUSTED_PROXY_HOPS); 0 = the TCP peer is the client.
	TrustedProxyHops int
	// MaxInFlight caps concurrent API requests (EDGE_MAX_IN_FLIGHT); 0 = no cap.
	MaxInFlight int
	// MaxOrderBodyBytes: the body limit of POST /v1/orders (EDGE_MAX_ORDER_BODY_BYTES);
	// every other route has MaxBodyBytes.
	MaxOrderBodyBytes int64
	// BodyBufferBytes bounds the request bodies buffered at once (EDGE_BODY_BUFFER_BYTES);
	// 0 = unbounded.
	BodyBufferBytes int64
}

// shutdownGrace is ShutdownGrace, or its default for a Config built without LoadConfig.
func (c Config) shutdownGrace() time.Duration {
	if c.ShutdownGrace > 0 {
		return c.ShutdownGrace
	}
	return c.RequestTimeout + 5*time.Second
}

type envSpec struct {
	name, def string
}

var backendEnv = []struct {
	backend string
	env     envSpec
}{
	{BackendUsers, envSpec{"USERS_ADDR", "127.0.0.1:50051"}},
	{BackendCatalog, envSpec{"CATALOG_ADDR", "127.0.0.1:50052"}},
	{BackendInventory, envSpec{"INVENTORY_ADDR", "127.0.0.1:50053"}},
	{BackendOrders, envSpec{"ORDERS_ADDR", "127.0.0.1:50056"}},
}

const (
	defaultHTTPAddr          = "127.0.0.1:8080"
	defaultMaxBodyBytes      = 16 << 10
	defaultMaxOrderBodyBytes = 256 << 10
	maxMaxBodyBytes          = 64 << 20
	defaultMaxInFlight       = 256
	maxMaxInFlight           = 1_000_000
	defaultBodyBufferBytes   = 32 << 20
	maxBodyBufferBytes       = 1 << 30
	maxTrustedProxyHops      = 10
	defaultRequestTimeout    = 10 * time.Second
	maxRequestTimeout        = 5 * time.Minute
	maxShutdown              = 10 * time.Minute
	// After the grace period: closing the backends and flushing telemetry (bounded at 5s).
	shutdownAfterGrace = 10 * time.Second
)

// LoadConfig reads and validates the configuration. getenv is os.Getenv in production.
// Every problem is reported, each naming its variable; nothing is defaulted silently
// when a variable is set but invalid.
func LoadConfig(getenv func(string) string) (Config, error) {
	var errs []error
	bad := func(name, value, why string) {
		errs = append(errs, fmt.Errorf("%s=%q: %s", name, value, why))
	}
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}

	cfg := Config{}

	cfg.HTTPAddr = get("EDGE_HTTP_ADDR", defaultHTTPAddr)
	if err := validateListenAddr(cfg.HTTPAddr); err != nil {
		bad("EDGE_HTTP_ADDR", cfg.HTTPAddr, err.Error())
	}

	for _, b := range backendEnv {
		target := get(b.env.name, b.env.def)
		if err := validateTarget(target); err != nil {
			bad(b.env.name, target, err.Error())
		}
		cfg.Backends = append(cfg.Backends, BackendConfig{Name: b.backend, EnvVar: b.env.name, Target: target})
	}

	// count reads a whole number in [lo, hi]; "off" (when offOK) is 0.
	count := func(name string, def, lo, hi int64, offOK bool, example string) int64 {
		v := get(name, "")
		if v == "" {
			return def
		}
		if offOK && strings.EqualFold(v, "off") {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo || n > hi {
			why := fmt.Sprintf("must be a whole number between %d and %d, e.g. %s", lo, hi, example)
			if offOK {
				why += ", or off"
			}
			bad(name, v, why)
			return def
		}
		return n
	}
	cfg.MaxBodyBytes = count("EDGE_MAX_BODY_BYTES", defaultMaxBodyBytes, 1, maxMaxBodyBytes, false, "16384")
	cfg.MaxOrderBodyBytes = count("EDGE_MAX_ORDER_BODY_BYTES", defaultMaxOrderBodyBytes, 1, maxMaxBodyBytes, false, "262144")
	cfg.BodyBufferBytes = count("EDGE_BODY_BUFFER_BYTES", defaultBodyBufferBytes, 1, maxBodyBufferBytes, true, "33554432")
	if cfg.BodyBufferBytes > 0 && cfg.BodyBufferBytes < max(cfg.MaxBodyBytes, cfg.MaxOrderBodyBytes) {
		bad("EDGE_BODY_BUFFER_BYTES", get("EDGE_BODY_BUFFER_BYTES", ""),
			fmt.Sprintf("must be at least the largest body limit (%d), or no such body could ever be read", max(cfg.MaxBodyBytes, cfg.MaxOrderBodyBytes)))
	}
	cfg.MaxInFlight = int(count("EDGE_MAX_IN_FLIGHT", defaultMaxInFlight, 1, maxMaxInFlight, true, "256"))
	cfg.TrustedProxyHops = int(count("EDGE_TRUSTED_PROXY_HOPS", 0, 0, maxTrustedProxyHops, false, "1"))
	cfg.RateLimitMaxBuckets = int(count("EDGE_RATE_LIMIT_MAX_BUCKETS", defaultRateLimitMaxBuckets, limiterShards, 10_000_000, false, "100000"))
	cfg.RateLimits = map[rateClass]rateSpec{}
	for _, c := range rateClasses {
		env := rateEnv[c]
		v := get(env.name, env.def)
		spec, err := parseRateSpec(v)
		if err != nil {
			bad(env.name, v, err.Error()+": use off or <n>/<s|m|h>[,burst=<n>], e.g. "+env.def)
			continue
		}
		cfg.RateLimits[c] = spec
	}

	cfg.RequestTimeout = defaultRequestTimeout
	if v := get("EDGE_REQUEST_TIMEOUT", ""); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			bad("EDGE_REQUEST_TIMEOUT", v, "must be a Go duration, e.g. 10s or 1500ms")
		case d < 10*time.Millisecond || d > maxRequestTimeout:
			bad("EDGE_REQUEST_TIMEOUT", v, fmt.Sprintf("must be between 10ms and %s", maxRequestTimeout))
		default:
			cfg.RequestTimeout = d
		}
	}

	if v := get("EDGE_CORS_ALLOWED_ORIGINS", ""); v != "" {
		origins, err := parseOrigins(v)
		if err != nil {
			bad("EDGE_CORS_ALLOWED_ORIGINS", v, err.Error())
		}
		cfg.CORSAllowedOrigins = origins
	}

	cfg.JWTIssuer = get("JWT_ISSUER", "meshcart")
	cfg.JWTAudience = get("JWT_AUDIENCE", "meshcart")
	cfg.JWKSFile = get("JWT_PUBLIC_KEYS_FILE", "")
	cfg.JWKSInline = get("JWT_PUBLIC_KEYS", "")
	switch {
	case cfg.JWKSFile != "" && cfg.JWKSInline != "":
		bad("JWT_PUBLIC_KEYS_FILE", cfg.JWKSFile, "set JWT_PUBLIC_KEYS or JWT_PUBLIC_KEYS_FILE, not both")
	case cfg.JWKSFile != "":
		if b, err := os.ReadFile(cfg.JWKSFile); err != nil {
			bad("JWT_PUBLIC_KEYS_FILE", cfg.JWKSFile, "must name a readable JWKS file")
		} else if _, err := publicJWKS(b); err != nil {
			bad("JWT_PUBLIC_KEYS_FILE", cfg.JWKSFile, "must hold a JWKS: "+err.Error())
		}
	case cfg.JWKSInline != "":
		if _, err := publicJWKS([]byte(cfg.JWKSInline)); err != nil {
			bad("JWT_PUBLIC_KEYS", "(jwks)", "must be a JWKS: "+err.Error())
		}
	}

	if v := get("EDGE_OPENAPI_PATH", ""); v != "" {
		if st, err := os.Stat(v); err != nil || st.IsDir() {
			bad("EDGE_OPENAPI_PATH", v, "must name a readable OpenAPI JSON file")
		}
		cfg.OpenAPIPath = v
	} else {
		cwd, _ := os.Getwd()
		exe, _ := os.Executable()
		p, err := findOpenAPISpec(cwd, exe)
		if err != nil {
			bad("EDGE_OPENAPI_PATH", "", err.Error())
		}
		cfg.OpenAPIPath = p
	}

	// Defaults: in-flight requests get their full timeout plus 5s; then 10s for the rest.
	cfg.ShutdownGrace = cfg.RequestTimeout + 5*time.Second
	if v := get("SHUTDOWN_GRACE_MS", ""); v != "" {
		d, err := parseMillis(v)
		if err != nil || d > maxShutdown {
			bad("SHUTDOWN_GRACE_MS", v, "must be milliseconds or a duration up to 10m, e.g. 10000 or 10s")
		} else {
			cfg.ShutdownGrace = d
		}
	}
	cfg.ShutdownDeadline = cfg.ShutdownGrace + shutdownAfterGrace
	if v := get("SHUTDOWN_DEADLINE_MS", ""); v != "" {
		d, err := parseMillis(v)
		switch {
		case err != nil || d > maxShutdown:
			bad("SHUTDOWN_DEADLINE_MS", v, "must be milliseconds or a duration up to 10m, e.g. 15000 or 15s")
		case d <= cfg.ShutdownGrace:
			bad("SHUTDOWN_DEADLINE_MS", v, fmt.Sprintf("must be longer than the grace period (SHUTDOWN_GRACE_MS = %s)", cfg.ShutdownGrace))
		default:
			cfg.ShutdownDeadline = d
		}
	}

	if v := get("MESHCART_LIFELINE_FD", ""); v != "" {
		fd, err := strconv.Atoi(v)
		if err != nil || fd < 3 {
			bad("MESHCART_LIFELINE_FD", v, "must be a file descriptor number >= 3")
		} else {
			cfg.LifelineFD = fd
		}
	}

	cfg.LogLevel = slog.LevelInfo
	if v := get("LOG_LEVEL", ""); v != "" {
		lvl, err := parseLogLevel(v)
		if err != nil {
			bad("LOG_LEVEL", v, err.Error())
		}
		cfg.LogLevel = lvl
	}

	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return cfg, nil
}

// parseMillis reads the services' duration format: a bare number of milliseconds, or a
// duration such as 500ms, 10s, 2m.
func parseMillis(v string) (time.Duration, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, errors.New("negative")
		}
		return time.Duration(n) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		return 0, errors.New("negative")
	}
	return d, err
}

func validateListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("must be host:port, e.g. 127.0.0.1:8080 or :8080")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return errors.New("port must be a number between 0 and 65535")
	}
	return nil
}

// validateTarget accepts host:port, or a gRPC target URI with a scheme (dns:///host:port,
// unix:///path, passthrough:///host:port).
func validateTarget(target string) error {
	if i := strings.Index(target, ":///"); i > 0 {
		if len(target) == i+4 {
			return errors.New("target URI has no endpoint")
		}
		return nil
	}
	if strings.HasPrefix(target, "unix:") {
		return nil
	}
	host, port, err := net.SplitHostPort(target)
	if err != nil || host == "" {
		return errors.New("must be host:port (e.g. 127.0.0.1:50056) or a gRPC target URI (dns:///orders:50056)")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return errors.New("port must be a number between 1 and 65535")
	}
	return nil
}

// parseOrigins parses a comma list of origins (scheme://host[:port], no path) or "*".
func parseOrigins(list string) ([]string, error) {
	var out []string
	for _, raw := range strings.Split(list, ",") {
		o := strings.TrimSpace(raw)
		if o == "" {
			continue
		}
		if o == "*" {
			out = append(out, o)
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("%q is not an origin: use scheme://host[:port], e.g. https://shop.example.com", o)
		}
		if u.Path == "/" {
			return nil, fmt.Errorf("%q: an origin has no trailing slash", o)
		}
		out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	if len(out) == 0 {
		return nil, errors.New("no origin in the list")
	}
	return out, nil
}

func parseLogLevel(v string) (slog.Level, error) {
	switch strings.ToLower(v) {
	case "debug", "trace":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error", "fatal":
		return slog.LevelError, nil
	case "silent": // the services' (pino) level names are accepted too
		return slog.LevelError + 4, nil
	}
	return 0, errors.New("must be one of debug, info, warn, error (or trace, fatal, silent)")
}

// findOpenAPISpec looks for the generated spec: next to the executable (the container
// copies it there), then gen/openapi/ in the working directory or one of its parents
// (repo root, gateway/), then relative to the executable's parents.
func findOpenAPISpec(cwd, exe string) (string, error) {
	var candidates []string
	exeDir := ""
	if exe != "" {
		exeDir = filepath.Dir(exe)
		candidates = append(candidates, filepath.Join(exeDir, OpenAPIFileName))
	}
	for _, start := range []string{cwd, exeDir} {
		if start == "" {
			continue
		}
		dir := start
		for range 4 {
			candidates = append(candidates, filepath.Join(dir, "gen", "openapi", OpenAPIFileName))
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c, nil
		}
	}
	return "", fmt.Errorf("not set, and %s was found neither next to the executable nor in gen/openapi/ above the working directory; set it to the spec's path", OpenAPIFileName)
}
