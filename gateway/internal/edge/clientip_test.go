package edge

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestResolveClientIP(t *testing.T) {
	cases := []struct {
		name   string
		remote string
		xff    []string
		hops   int
		want   string
	}{
		{"peer by default", "192.0.2.9:1234", nil, 0, "192.0.2.9"},
		{"XFF never trusted with 0 hops", "192.0.2.9:1234", []string{"6.6.6.6"}, 0, "192.0.2.9"},
		{"1 hop: rightmost entry", "10.0.0.5:80", []string{"6.6.6.6, 203.0.113.7"}, 1, "203.0.113.7"},
		{"1 hop: across repeated headers", "10.0.0.5:80", []string{"6.6.6.6", "203.0.113.7"}, 1, "203.0.113.7"},
		{"2 hops: second from right", "10.0.0.5:80", []string{"6.6.6.6, 203.0.113.7, 10.0.0.9"}, 2, "203.0.113.7"},
		{"fewer entries than hops: peer", "10.0.0.5:80", []string{"203.0.113.7"}, 2, "10.0.0.5"},
		{"no XFF with hops: peer", "10.0.0.5:80", nil, 1, "10.0.0.5"},
		{"garbage entry: peer", "10.0.0.5:80", []string{"not-an-ip"}, 1, "10.0.0.5"},
		{"entry with port", "10.0.0.5:80", []string{"203.0.113.7:5555"}, 1, "203.0.113.7"},
		{"IPv6 entry", "10.0.0.5:80", []string{"[2001:db8::1]:443"}, 1, "2001:db8::1"},
		{"IPv4-mapped peer", "[::ffff:192.0.2.1]:80", nil, 0, "192.0.2.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = c.remote
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := resolveClientIP(r, c.hops).String(); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

// Every proxied call carries x-client-ip (the resolved address, exactly once); what a
// client sends under that name is never forwarded.
func TestClientIPMetadata(t *testing.T) {
	e := newTestEdge(t, nil)
	rec, _ := e.doFrom(t, "198.51.100.20:999", http.MethodPost, "/v1/sessions", sessionBody,
		"X-Client-Ip", "6.6.6.6", "Grpc-Metadata-X-Client-Ip", "6.6.6.6", "X-Forwarded-For", "6.6.6.6")
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if got := e.backend.lastCall(t).md.Get(clientIPMetadata); len(got) != 1 || got[0] != "198.51.100.20" {
		t.Errorf("x-client-ip = %q, want [198.51.100.20]", got)
	}

	behind := newTestEdge(t, func(c *Config) { c.TrustedProxyHops = 1 })
	rec, _ = behind.doFrom(t, "10.0.0.5:80", http.MethodGet, "/v1/products/SKU-1", "",
		"X-Forwarded-For", "6.6.6.6, 203.0.113.7", "X-Client-Ip", "6.6.6.6")
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if got := behind.backend.lastCall(t).md.Get(clientIPMetadata); len(got) != 1 || got[0] != "203.0.113.7" {
		t.Errorf("x-client-ip behind one proxy = %q, want [203.0.113.7]", got)
	}
}
