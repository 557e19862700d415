package edge

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// The edge verifies bearer tokens exactly as the services' verifier does
// (packages/kit/src/auth/jwt.ts, key-bindings.ts), for two reasons only: a protected route
// refuses a caller without a valid token BEFORE its body is buffered, and rate limits are
// keyed per user only on a subject whose signature checked out (a forged `sub` must never
// drain a victim's bucket). The backends still verify every call themselves; role rules
// (customer, admin) stay theirs.

// Token refusal causes, mapped to the services' reasons (TOKEN_EXPIRED / TOKEN_INVALID).
var (
	errTokenExpired = errors.New("token expired")
	errTokenInvalid = errors.New("token invalid")
)

// tokenClockTolerance is the verifier's clockTolerance (5s) in the services.
const tokenClockTolerance = 5 * time.Second

// maxServiceTokenTTL is MAX_SERVICE_TOKEN_TTL_SECONDS: a longer-lived service token is forged.
const maxServiceTokenTTL = 900

var knownRoles = []string{"customer", "admin", "service"}

// trustedKey is one JWKS entry that can verify: an Ed25519 public key with its binding
// (meshcart_roles, meshcart_subjects). Keys without a usable binding verify nothing.
type trustedKey struct {
	pub      ed25519.PublicKey
	roles    []string
	subjects []string
}

// trustedKeys indexes the verifying keys of a raw JWKS document by kid; entries that are not
// bound Ed25519 keys are skipped (as the services skip them).
func trustedKeys(doc []byte) map[string]trustedKey {
	var set struct {
		Keys []struct {
			Kid      string   `json:"kid"`
			Kty      string   `json:"kty"`
			Crv      string   `json:"crv"`
			X        string   `json:"x"`
			Roles    []string `json:"meshcart_roles"`
			Subjects []string `json:"meshcart_subjects"`
		} `json:"keys"`
	}
	out := map[string]trustedKey{}
	if json.Unmarshal(doc, &set) != nil {
		return out
	}
	for _, k := range set.Keys {
		if k.Kid == "" || k.Kty != "OKP" || k.Crv != "Ed25519" || len(k.Roles) == 0 || len(k.Subjects) == 0 {
			continue
		}
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			continue
		}
		ok := true
		for _, r := range k.Roles {
			ok = ok && slices.Contains(knownRoles, r)
		}
		for _, s := range k.Subjects {
			ok = ok && s != "" && !strings.Contains(s[:len(s)-1], "*")
		}
		if ok {
			out[k.Kid] = trustedKey{pub: ed25519.PublicKey(x), roles: k.Roles, subjects: k.Subjects}
		}
	}
	return out
}

// tokenClaims are the claims the edge reads.
type tokenClaims struct {
	Sub   string          `json:"sub"`
	Iss   string          `json:"iss"`
	Aud   json.RawMessage `json:"aud"`
	Exp   *float64        `json:"exp"`
	Iat   *float64        `json:"iat"`
	Nbf   *float64        `json:"nbf"`
	Roles []any           `json:"roles"`
}

// tokenVerifier checks compact EdDSA JWTs against the keys of the current JWKS.
type tokenVerifier struct {
	issuer, audience string
	keys             func() map[string]trustedKey
	now              func() time.Time
}

// verify returns the token's subject, or errTokenExpired / errTokenInvalid.
func (v *tokenVerifier) verify(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > 8192 {
		return "", errTokenInvalid
	}
	var header struct {
		Alg  string `json:"alg"`
		Kid  string `json:"kid"`
		Crit []any  `json:"crit"`
	}
	if decodeSegment(parts[0], &header) != nil || header.Alg != "EdDSA" || header.Crit != nil {
		return "", errTokenInvalid
	}
	key, ok := v.keys()[header.Kid]
	if !ok {
		return "", errTokenInvalid
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !ed25519.Verify(key.pub, []byte(parts[0]+"."+parts[1]), sig) {
		return "", errTokenInvalid
	}
	var c tokenClaims
	if decodeSegment(parts[1], &c) != nil {
		return "", errTokenInvalid
	}
	now := float64(v.now().Unix())
	tol := tokenClockTolerance.Seconds()
	switch {
	case c.Iss != v.issuer || !audienceHas(c.Aud, v.audience) || c.Sub == "" || c.Exp == nil || c.Iat == nil:
		return "", errTokenInvalid
	case c.Nbf != nil && *c.Nbf > now+tol:
		return "", errTokenInvalid
	case *c.Exp <= now-tol:
		return "", errTokenExpired
	}
	var roles []string
	for _, r := range c.Roles {
		if s, ok := r.(string); ok && slices.Contains(knownRoles, s) {
			roles = append(roles, s)
		}
	}
	if !bindingAllows(key, c.Sub, roles) {
		return "", errTokenInvalid
	}
	if slices.Contains(roles, "service") && *c.Exp-*c.Iat > maxServiceTokenTTL {
		return "", errTokenInvalid
	}
	return c.Sub, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// audienceHas: aud is a string or an array of strings containing want.
func audienceHas(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Contains(many, want)
}

// bindingAllows is key-bindings.ts bindingAllows: every role listed by the key, the subject
// matching one of its patterns, and the subject's shape fitting its roles.
func bindingAllows(k trustedKey, subject string, roles []string) bool {
	if len(roles) == 0 {
		return false
	}
	for _, r := range roles {
		if !slices.Contains(k.roles, r) {
			return false
		}
	}
	matched := false
	for _, p := range k.subjects {
		if strings.HasSuffix(p, "*") {
			matched = matched || strings.HasPrefix(subject, p[:len(p)-1])
		} else {
			matched = matched || p == subject
		}
	}
	return matched && subjectFitsRoles(subject, roles)
}

func subjectFitsRoles(subject string, roles []string) bool {
	if slices.Contains(roles, "service") {
		return len(roles) == 1 && isWorkloadSubject(subject)
	}
	if slices.Contains(roles, "customer") {
		return !strings.Contains(subject, ":")
	}
	return true
}

// isWorkloadSubject: ^service:[a-z0-9][a-z0-9-]*$
func isWorkloadSubject(s string) bool {
	name, ok := strings.CutPrefix(s, "service:")
	if !ok || name == "" || name[0] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// bearerToken returns the token of an `Authorization: Bearer <token>` header ("" if none),
// with the services' rule: scheme case-insensitive, one token without spaces.
func bearerToken(h string) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	tok = strings.TrimSpace(tok)
	if tok == "" || strings.ContainsAny(tok, " \t") {
		return ""
	}
	return tok
}
