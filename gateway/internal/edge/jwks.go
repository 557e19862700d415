package edge

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"
)

// JWKSPath is where the edge publishes the platform's public signing keys (Istio
// RequestAuthentication's jwksUri in the production values points here).
const JWKSPath = "/.well-known/jwks.json"

// jwksRefresh bounds how stale the published set may be after the mounted file changes
// (the services re-read the same file every JWT_KEYS_POLL).
const jwksRefresh = 5 * time.Second

// publicMembers are the only JWK members published: the public half of an Ed25519 key and
// its identifiers. Anything else in the file (a private "d" by mistake, our binding members)
// never leaves the edge.
var publicMembers = []string{"kty", "crv", "x", "kid", "alg", "use"}

// jwksSource reads the JWKS (JWT_PUBLIC_KEYS_FILE, or JWT_PUBLIC_KEYS inline) and keeps the
// last good public set: a half-written or broken file keeps serving the previous keys.
type jwksSource struct {
	file   string
	inline string
	logger *slog.Logger

	mu      sync.Mutex
	body    []byte
	trusted map[string]trustedKey // the verifying keys of the same document (token.go)
	readAt  time.Time
	raw     string
}

func newJWKSSource(cfg Config, logger *slog.Logger) *jwksSource {
	if cfg.JWKSFile == "" && cfg.JWKSInline == "" {
		return nil
	}
	return &jwksSource{file: cfg.JWKSFile, inline: cfg.JWKSInline, logger: logger}
}

// publicJWKS parses a JWKS document and returns it with public members only.
func publicJWKS(doc []byte) ([]byte, error) {
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, err
	}
	if set.Keys == nil {
		return nil, errors.New(`no "keys" array`)
	}
	out := make([]map[string]any, 0, len(set.Keys))
	for _, k := range set.Keys {
		if _, ok := k["kid"].(string); !ok {
			return nil, errors.New("a key without kid")
		}
		pub := map[string]any{}
		for _, m := range publicMembers {
			if v, ok := k[m]; ok {
				pub[m] = v
			}
		}
		out = append(out, pub)
	}
	return json.Marshal(map[string]any{"keys": out})
}

// current returns the public JWKS, re-reading the file at most every jwksRefresh.
func (s *jwksSource) current() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshLocked()
}

// keys returns the verifying keys (with their bindings) of the current JWKS, by kid.
func (s *jwksSource) keys() map[string]trustedKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshLocked()
	return s.trusted
}

func (s *jwksSource) refreshLocked() []byte {
	if s.body != nil && time.Since(s.readAt) < jwksRefresh {
		return s.body
	}
	s.readAt = time.Now()
	raw := []byte(s.inline)
	if s.file != "" {
		b, err := os.ReadFile(s.file)
		if err != nil {
			s.logger.Warn("jwks file not readable, serving the last good keys", "file", s.file, "err", err)
			return s.body
		}
		raw = b
	}
	if string(raw) == s.raw && s.body != nil {
		return s.body
	}
	body, err := publicJWKS(raw)
	if err != nil {
		s.logger.Warn("jwks not valid, serving the last good keys", "file", s.file, "err", err)
		return s.body
	}
	s.raw, s.body, s.trusted = string(raw), body, trustedKeys(raw)
	return body
}

func (s *jwksSource) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	body := s.current()
	if body == nil {
		http.Error(w, "no signing keys available", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	// Short: verifiers pick up a rotation within a minute of the file changing.
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = w.Write(body)
}
