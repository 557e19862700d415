package edge

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testKey is an Ed25519 key bound in a JWKS as the services' keys are.
type testKey struct {
	kid  string
	priv ed25519.PrivateKey
	jwk  map[string]any
}

func newTestKey(t *testing.T, kid string, roles, subjects []string) testKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid: kid, priv: priv, jwk: map[string]any{
		"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(pub), "kid": kid,
		"alg": "EdDSA", "use": "sig", "meshcart_roles": roles, "meshcart_subjects": subjects,
	}}
}

func jwksOf(t *testing.T, keys ...testKey) string {
	t.Helper()
	var list []map[string]any
	for _, k := range keys {
		list = append(list, k.jwk)
	}
	b, err := json.Marshal(map[string]any{"keys": list})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sign mints a compact JWS; claims are merged over valid defaults (customer, 1h).
func (k testKey) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	now := time.Now().Unix()
	c := map[string]any{"sub": "user-1", "iss": "meshcart", "aud": "meshcart", "iat": now, "exp": now + 3600,
		"roles": []string{"customer"}}
	for key, v := range claims {
		if v == nil {
			delete(c, key)
		} else {
			c[key] = v
		}
	}
	h, _ := json.Marshal(map[string]any{"alg": "EdDSA", "kid": k.kid, "typ": "JWT"})
	p, _ := json.Marshal(c)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(k.priv, []byte(input)))
}

func TestTokenVerifier(t *testing.T) {
	users := newTestKey(t, "users-1", []string{"customer"}, []string{"*"})
	orders := newTestKey(t, "orders-1", []string{"service"}, []string{"service:orders"})
	unbound := newTestKey(t, "loose-1", []string{"customer"}, []string{"*"})
	delete(unbound.jwk, "meshcart_roles")
	other := newTestKey(t, "users-1", []string{"customer"}, []string{"*"}) // same kid, other key
	keys := trustedKeys([]byte(jwksOf(t, users, orders, unbound)))
	v := &tokenVerifier{issuer: "meshcart", audience: "meshcart", keys: func() map[string]trustedKey { return keys }, now: time.Now}
	now := time.Now().Unix()

	if sub, err := v.verify(users.sign(t, nil)); err != nil || sub != "user-1" {
		t.Fatalf("valid customer token: %q %v", sub, err)
	}
	if sub, err := v.verify(users.sign(t, map[string]any{"aud": []string{"x", "meshcart"}})); err != nil || sub != "user-1" {
		t.Fatalf("audience array: %q %v", sub, err)
	}
	if sub, err := v.verify(orders.sign(t, map[string]any{"sub": "service:orders", "roles": []string{"service"}, "exp": now + 300})); err != nil || sub != "service:orders" {
		t.Fatalf("service token: %q %v", sub, err)
	}
	if _, err := v.verify(users.sign(t, map[string]any{"exp": now - 10})); !errors.Is(err, errTokenExpired) {
		t.Errorf("expired: %v", err)
	}
	// Within the 5s clock tolerance it still verifies.
	if _, err := v.verify(users.sign(t, map[string]any{"exp": now - 2})); err != nil {
		t.Errorf("within tolerance: %v", err)
	}
	valid := users.sign(t, nil)
	invalid := map[string]string{
		"forged signature":          other.sign(t, nil),
		"tampered payload":          tamper(t, valid),
		"unknown kid":               newTestKey(t, "nope", nil, nil).sign(t, nil),
		"unbound key":               unbound.sign(t, nil),
		"wrong issuer":              users.sign(t, map[string]any{"iss": "evil"}),
		"wrong audience":            users.sign(t, map[string]any{"aud": "other"}),
		"no sub":                    users.sign(t, map[string]any{"sub": nil}),
		"no exp":                    users.sign(t, map[string]any{"exp": nil}),
		"no iat":                    users.sign(t, map[string]any{"iat": nil}),
		"not yet valid":             users.sign(t, map[string]any{"nbf": now + 600}),
		"no roles":                  users.sign(t, map[string]any{"roles": nil}),
		"role the key may not sign": users.sign(t, map[string]any{"roles": []string{"admin"}}),
		"customer with namespaced":  users.sign(t, map[string]any{"sub": "service:orders"}),
		"service as someone else":   orders.sign(t, map[string]any{"sub": "service:payments", "roles": []string{"service"}, "exp": now + 300}),
		"service token too long":    orders.sign(t, map[string]any{"sub": "service:orders", "roles": []string{"service"}}),
		"not a JWS":                 "abc.def",
		"garbage segments":          "a.b.c",
		"alg none":                  noneToken(t),
	}
	for name, tok := range invalid {
		if sub, err := v.verify(tok); !errors.Is(err, errTokenInvalid) {
			t.Errorf("%s: sub %q err %v, want errTokenInvalid", name, sub, err)
		}
	}
}

func tamper(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	p, _ := base64.RawURLEncoding.DecodeString(parts[1])
	p = []byte(strings.Replace(string(p), "user-1", "user-2", 1))
	parts[1] = base64.RawURLEncoding.EncodeToString(p)
	return strings.Join(parts, ".")
}

func noneToken(t *testing.T) string {
	t.Helper()
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"users-1"}`))
	p := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"user-1","iss":"meshcart","aud":"meshcart","iat":1,"exp":9999999999,"roles":["customer"]}`))
	return h + "." + p + "."
}

func TestBearerToken(t *testing.T) {
	for h, want := range map[string]string{
		"Bearer abc": "abc", "bearer abc": "abc", "  Bearer   abc ": "abc",
		"": "", "Basic abc": "", "Bearer": "", "Bearer a b": "", "abc": "",
	} {
		if got := bearerToken(h); got != want {
			t.Errorf("bearerToken(%q) = %q, want %q", h, got, want)
		}
	}
}

// Tokens minted by the TypeScript kit (createTokenSigner, the users issuer's binding) verify
// here as they do in the services: testdata/kit-token.json holds a JWKS and two tokens made
// once with packages/kit/src/auth/jwt.ts (the private key was thrown away), one valid until
// 2100, one expired.
func TestTokenVerifierAcceptsKitTokens(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "kit-token.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		JWKS    json.RawMessage `json:"jwks"`
		Token   string          `json:"token"`
		Expired string          `json:"expired"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	keys := trustedKeys(fx.JWKS)
	v := &tokenVerifier{issuer: "meshcart", audience: "meshcart", keys: func() map[string]trustedKey { return keys }, now: time.Now}
	if sub, err := v.verify(fx.Token); err != nil || sub != "user-interop-1" {
		t.Fatalf("kit token: %q %v", sub, err)
	}
	if _, err := v.verify(fx.Expired); !errors.Is(err, errTokenExpired) {
		t.Errorf("expired kit token: %v", err)
	}
	other := &tokenVerifier{issuer: "meshcart", audience: "other", keys: v.keys, now: time.Now}
	if _, err := other.verify(fx.Token); !errors.Is(err, errTokenInvalid) {
		t.Errorf("wrong audience: %v", err)
	}
}
