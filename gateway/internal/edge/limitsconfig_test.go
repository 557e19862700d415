package edge

import (
	"strings"
	"testing"
	"time"
)

func TestLimitDefaults(t *testing.T) {
	cfg, err := LoadConfig(envOf(map[string]string{"EDGE_OPENAPI_PATH": repoSpec}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxBodyBytes != 16384 || cfg.MaxOrderBodyBytes != 262144 || cfg.BodyBufferBytes != 32<<20 ||
		cfg.MaxInFlight != 256 || cfg.TrustedProxyHops != 0 || cfg.RateLimitMaxBuckets != 100000 ||
		cfg.JWTIssuer != "meshcart" || cfg.JWTAudience != "meshcart" {
		t.Errorf("defaults: %+v", cfg)
	}
	want := map[rateClass]string{classAuth: "10/m,burst=5", classOrder: "30/m,burst=10", classRead: "20/s,burst=40"}
	for c, w := range want {
		if got := cfg.RateLimits[c].String(); got != w {
			t.Errorf("%s = %s, want %s", c, got, w)
		}
	}
}

func TestLimitsFromEnv(t *testing.T) {
	cfg, err := LoadConfig(envOf(map[string]string{
		"EDGE_OPENAPI_PATH":           repoSpec,
		"EDGE_RATE_LIMIT_AUTH":        "off",
		"EDGE_RATE_LIMIT_ORDER":       " 100/H , burst=3 ",
		"EDGE_RATE_LIMIT_READ":        "500/s",
		"EDGE_RATE_LIMIT_MAX_BUCKETS": "1000",
		"EDGE_TRUSTED_PROXY_HOPS":     "1",
		"EDGE_MAX_IN_FLIGHT":          "off",
		"EDGE_MAX_BODY_BYTES":         "1024",
		"EDGE_MAX_ORDER_BODY_BYTES":   "4096",
		"EDGE_BODY_BUFFER_BYTES":      "off",
		"JWT_ISSUER":                  "iss-x",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.RateLimits[classAuth].Off {
		t.Errorf("auth not off: %+v", cfg.RateLimits[classAuth])
	}
	if o := cfg.RateLimits[classOrder]; o.Count != 100 || o.Per != time.Hour || o.Burst != 3 {
		t.Errorf("order %+v", o)
	}
	// burst defaults to the count.
	if r := cfg.RateLimits[classRead]; r.Count != 500 || r.Per != time.Second || r.Burst != 500 {
		t.Errorf("read %+v", r)
	}
	if cfg.RateLimitMaxBuckets != 1000 || cfg.TrustedProxyHops != 1 || cfg.MaxInFlight != 0 ||
		cfg.MaxBodyBytes != 1024 || cfg.MaxOrderBodyBytes != 4096 || cfg.BodyBufferBytes != 0 || cfg.JWTIssuer != "iss-x" {
		t.Errorf("cfg %+v", cfg)
	}
}

func TestLimitsRejectBadValues(t *testing.T) {
	bad := map[string][]string{
		"EDGE_RATE_LIMIT_AUTH":        {"10", "10/d", "0/m", "x/m", "10/m,burst=0", "10/m,burst", "10/m,bust=5", "10/m;burst=5", "on"},
		"EDGE_RATE_LIMIT_ORDER":       {"-1/s"},
		"EDGE_RATE_LIMIT_READ":        {"20/s,burst=-1"},
		"EDGE_RATE_LIMIT_MAX_BUCKETS": {"0", "lots"},
		"EDGE_TRUSTED_PROXY_HOPS":     {"-1", "11", "one", "off"},
		"EDGE_MAX_IN_FLIGHT":          {"0", "-3", "many"},
		"EDGE_MAX_ORDER_BODY_BYTES":   {"0", "1MB"},
		"EDGE_BODY_BUFFER_BYTES":      {"0", "1000"}, // 1000 < the order body limit
	}
	for name, values := range bad {
		for _, v := range values {
			_, err := LoadConfig(envOf(map[string]string{name: v, "EDGE_OPENAPI_PATH": repoSpec}))
			if err == nil || !strings.Contains(err.Error(), name+"=") {
				t.Errorf("%s=%q: err = %v", name, v, err)
			}
		}
	}
}

func TestRateSpecString(t *testing.T) {
	for _, v := range []string{"off", "10/m,burst=5", "20/s,burst=40", "1/h,burst=1"} {
		s, err := parseRateSpec(v)
		if err != nil || s.String() != v {
			t.Errorf("%q -> %+v %v -> %q", v, s, err, s.String())
		}
	}
}
