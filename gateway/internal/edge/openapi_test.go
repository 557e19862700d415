package edge

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
)

var publicPaths = []string{
	"/v1/orders", "/v1/orders/{orderId}", "/v1/orders/{orderId}:cancel", "/v1/products",
	"/v1/products/{sku}", "/v1/sessions", "/v1/stock/{sku}", "/v1/users",
}

func TestOpenAPIServed(t *testing.T) {
	e := newTestEdge(t, nil)
	rec := e.do(t, http.MethodGet, "/openapi.json", "")
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	doc := jsonMap(t, rec.Body.Bytes())
	if doc["swagger"] != "2.0" {
		t.Errorf("swagger = %v", doc["swagger"])
	}
	if got := openAPIPaths(rec.Body.Bytes()); !slices.Equal(got, publicPaths) {
		t.Errorf("paths = %v, want %v", got, publicPaths)
	}
	if rec := e.do(t, http.MethodHead, "/openapi.json", ""); rec.Code != 200 || rec.Body.Len() != 0 {
		t.Errorf("HEAD: %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

// The served spec keeps every definition the paths need and drops the internal ones the
// generator renders for services without routes.
func TestOpenAPIPrunesInternalDefinitions(t *testing.T) {
	raw, err := os.ReadFile(repoSpec)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := pruneOpenAPI(raw)
	if err != nil {
		t.Fatal(err)
	}
	doc := jsonMap(t, spec)
	defs := doc["definitions"].(map[string]any)
	for _, internal := range []string{"v1AuthorizePaymentResponse", "v1ReserveStockResponse", "v1RecordOrderProgressResponse",
		"v1CreateProductResponse", "v1LedgerEntry", "v1Reservation"} {
		if _, ok := defs[internal]; ok {
			t.Errorf("internal definition %s served", internal)
		}
	}
	for _, public := range []string{"v1Order", "v1Money", "v1Product", "rpcStatus", "protobufAny", "v1PlaceOrderRequest"} {
		if _, ok := defs[public]; !ok {
			t.Errorf("public definition %s missing", public)
		}
	}
	// Every $ref resolves.
	collectRefs(doc, func(name string) {
		if _, ok := defs[name]; !ok {
			t.Errorf("dangling $ref %s", name)
		}
	})
	if got := openAPIPaths(spec); !slices.Equal(got, openAPIPaths(raw)) {
		t.Errorf("paths changed by pruning")
	}
}

func TestOpenAPIRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"notjson.json": "{",
		"nopaths.json": `{"swagger":"2.0","paths":{}}`,
		"notv2.json":   `{"openapi":"3.0.0","paths":{"/x":{}}}`,
	} {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOpenAPI(p); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := LoadOpenAPI(dir + "/missing.json"); err == nil || !strings.Contains(err.Error(), "read") {
		t.Errorf("missing file: %v", err)
	}
}

// Every operation documents the edge's own 429 and 503 (google.rpc.Status, Retry-After):
// scripts/generate.sh adds them; a regenerated spec without them fails here.
func TestOpenAPIEveryOperationHas429And503(t *testing.T) {
	e := newTestEdge(t, nil)
	doc := jsonMap(t, e.do(t, http.MethodGet, "/openapi.json", "").Body.Bytes())
	ops := 0
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			ops++
			responses := op.(map[string]any)["responses"].(map[string]any)
			for _, code := range []string{"429", "503"} {
				r, ok := responses[code].(map[string]any)
				if !ok {
					t.Errorf("%s %s: no %s response", method, path, code)
					continue
				}
				if ref := r["schema"].(map[string]any)["$ref"]; ref != "#/definitions/rpcStatus" {
					t.Errorf("%s %s %s: schema %v", method, path, code, ref)
				}
				if _, ok := r["headers"].(map[string]any)["Retry-After"]; !ok {
					t.Errorf("%s %s %s: no Retry-After header", method, path, code)
				}
			}
		}
	}
	if ops != len(routePolicies) {
		t.Errorf("%d operations, %d route policies", ops, len(routePolicies))
	}
}
