package edge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
)

// LoadOpenAPI reads the generated OpenAPI v2 spec and prepares what /openapi.json serves.
//
// protoc-gen-openapiv2 renders the response message of every RPC of every service in the
// merged file, including internal services that have no route (ReservationService,
// PaymentService, ...). The served copy drops every definition no path refers to
// (transitively), so the public document describes the public surface only. Paths are
// served unchanged.
func LoadOpenAPI(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read OpenAPI spec: %w", err)
	}
	return pruneOpenAPI(raw)
}

func pruneOpenAPI(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("OpenAPI spec is not valid JSON: %w", err)
	}
	if _, ok := doc["swagger"]; !ok {
		return nil, errors.New(`OpenAPI spec has no "swagger" field (expected an OpenAPI v2 document)`)
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok || len(paths) == 0 {
		return nil, errors.New("OpenAPI spec has no paths")
	}
	defs, _ := doc["definitions"].(map[string]any)
	if defs != nil {
		keep := map[string]bool{}
		var queue []string
		visit := func(node any) {
			collectRefs(node, func(name string) {
				if !keep[name] {
					keep[name] = true
					queue = append(queue, name)
				}
			})
		}
		visit(paths)
		visit(doc["responses"])
		visit(doc["parameters"])
		for len(queue) > 0 {
			name := queue[0]
			queue = queue[1:]
			visit(defs[name])
		}
		for name := range defs {
			if !keep[name] {
				delete(defs, name)
			}
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// collectRefs calls fn with the definition name of every "#/definitions/<name>" $ref in node.
func collectRefs(node any, fn func(string)) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if s, ok := v.(string); ok && k == "$ref" {
				if name, ok := strings.CutPrefix(s, "#/definitions/"); ok {
					fn(name)
				}
				continue
			}
			collectRefs(v, fn)
		}
	case []any:
		for _, v := range n {
			collectRefs(v, fn)
		}
	}
}

// openAPIPaths lists the spec's paths (sorted); used by tests and the startup log.
func openAPIPaths(spec []byte) []string {
	var doc struct {
		Paths map[string]json.RawMessage `json:"paths"`
	}
	if json.Unmarshal(spec, &doc) != nil {
		return nil
	}
	out := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func serveOpenAPI(spec []byte) http.HandlerFunc {
	length := strconv.Itoa(len(spec))
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Length", length)
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(spec)
		}
	}
}
