package edge

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const jwksV1 = `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA","kid":"users-1","alg":"EdDSA","use":"sig",` +
	`"d":"PRIVATE-HALF","meshcart_roles":["customer"],"meshcart_subjects":["*"]}]}`
const jwksV2 = `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"BBBB","kid":"users-2","alg":"EdDSA","use":"sig",` +
	`"meshcart_roles":["customer"],"meshcart_subjects":["*"]}]}`

func kids(t *testing.T, body []byte) []string {
	t.Helper()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("not a JWKS: %v: %s", err, body)
	}
	var out []string
	for _, k := range set.Keys {
		for m := range k {
			switch m {
			case "kty", "crv", "x", "kid", "alg", "use":
			default:
				t.Errorf("published member %q (public members only)", m)
			}
		}
		out = append(out, k["kid"].(string))
	}
	return out
}

func TestJWKSPublishedFromTheFilePublicMembersOnlyAndReloaded(t *testing.T) {
	file := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(file, []byte(jwksV1), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newTestEdge(t, func(c *Config) { c.JWKSFile = file })
	rec := e.do(t, http.MethodGet, JWKSPath, "")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/jwk-set+json" {
		t.Fatalf("GET %s: %d %q", JWKSPath, rec.Code, rec.Header().Get("Content-Type"))
	}
	if got := kids(t, rec.Body.Bytes()); len(got) != 1 || got[0] != "users-1" {
		t.Fatalf("kids %v", got)
	}

	// A rotation written to the file is served after the refresh; a broken file keeps it.
	if err := os.WriteFile(file, []byte(jwksV2), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(jwksRefresh + 5*time.Second)
	for {
		got := kids(t, e.do(t, http.MethodGet, JWKSPath, "").Body.Bytes())
		if len(got) == 1 && got[0] == "users-2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still serving %v after the file changed", got)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := os.WriteFile(file, []byte(`{"keys": [ half`), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(jwksRefresh + 100*time.Millisecond)
	if got := kids(t, e.do(t, http.MethodGet, JWKSPath, "").Body.Bytes()); len(got) != 1 || got[0] != "users-2" {
		t.Fatalf("a broken file replaced the keys: %v", got)
	}
	if rec := e.do(t, http.MethodPost, JWKSPath, ""); rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", rec.Code)
	}
}

func TestJWKSNotConfiguredIsNotFound(t *testing.T) {
	e := newTestEdge(t, nil)
	if rec := e.do(t, http.MethodGet, JWKSPath, ""); rec.Code != http.StatusNotFound {
		t.Fatalf("GET %s without keys: %d", JWKSPath, rec.Code)
	}
}

func TestJWKSConfig(t *testing.T) {
	file := filepath.Join(t.TempDir(), "jwks.json")
	_ = os.WriteFile(file, []byte(jwksV2), 0o600)
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	if c, err := LoadConfig(env(map[string]string{"JWT_PUBLIC_KEYS_FILE": file, "EDGE_OPENAPI_PATH": file})); err != nil || c.JWKSFile != file {
		t.Fatalf("valid file: %v %q", err, c.JWKSFile)
	}
	for name, kv := range map[string]map[string]string{
		"missing file": {"JWT_PUBLIC_KEYS_FILE": file + ".nope"},
		"bad inline":   {"JWT_PUBLIC_KEYS": "{"},
		"both":         {"JWT_PUBLIC_KEYS": jwksV2, "JWT_PUBLIC_KEYS_FILE": file},
	} {
		kv["EDGE_OPENAPI_PATH"] = file
		if _, err := LoadConfig(env(kv)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
