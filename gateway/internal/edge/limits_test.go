package edge

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
)

// placeOrderBody returns a syntactically valid PlaceOrder body of exactly n bytes
// (padding in a string field), so "too large" never depends on malformed JSON.
func placeOrderBody(n int) string {
	const head, tail = `{"requestId":"r-1","paymentToken":"`, `"}`
	return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
}

func TestBodyLimitWithContentLength(t *testing.T) {
	e := newTestEdge(t, nil) // limit 4096
	rec := e.do(t, http.MethodPost, "/v1/orders", placeOrderBody(4097))
	st := expectStatus(t, rec, http.StatusRequestEntityTooLarge, codes.InvalidArgument, ReasonBodyTooLarge)
	if got := errorInfo(t, st).GetMetadata()["limitBytes"]; got != "4096" {
		t.Errorf("limitBytes = %q", got)
	}
	if n := len(e.backend.recorded()); n != 0 {
		t.Fatalf("oversized body reached the backend (%d calls)", n)
	}
	// Exactly at the limit is fine.
	rec = e.do(t, http.MethodPost, "/v1/orders", placeOrderBody(4096))
	if rec.Code != http.StatusOK {
		t.Fatalf("body at the limit: status %d: %s", rec.Code, rec.Body)
	}
}

// chunkedReader hides its length, so the request has no Content-Length.
type chunkedReader struct{ io.Reader }

// Without Content-Length (chunked) the limit holds too, over a real connection, and a
// valid JSON value followed by padding cannot sneak past it either.
func TestBodyLimitChunked(t *testing.T) {
	e := newTestEdge(t, nil)
	var sawLength []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawLength = append(sawLength, r.ContentLength)
		e.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()

	for name, body := range map[string]string{
		"large value":           placeOrderBody(10000),
		"small value + padding": `{"requestId":"r-1"}` + strings.Repeat(" ", 10000),
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/orders", chunkedReader{strings.NewReader(body)})
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if got := sawLength[len(sawLength)-1]; got != -1 {
				t.Fatalf("server saw Content-Length %d, want none (chunked)", got)
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			st := decodeStatus(t, b)
			if codes.Code(st.GetCode()) != codes.InvalidArgument || errorInfo(t, st).GetReason() != ReasonBodyTooLarge {
				t.Fatalf("body %s", b)
			}
		})
	}
	if n := len(e.backend.recorded()); n != 0 {
		t.Fatalf("oversized body reached the backend (%d calls)", n)
	}

	// A small chunked body still works.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/sessions", chunkedReader{bytes.NewReader([]byte(`{"email":"a@example.com"}`))})
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("small chunked body: status %d", resp.StatusCode)
	}
}

// Malformed JSON, unknown fields and wrong types are 400 INVALID_ARGUMENT with reason
// MALFORMED_REQUEST_BODY, and never reach the backend.
func TestMalformedBodies(t *testing.T) {
	e := newTestEdge(t, nil)
	for name, body := range map[string]string{
		"syntax":                    `{"email":`,
		"not an object":             `[1,2]`,
		"unknown field":             `{"email":"a@example.com","isAdmin":true}`,
		"unknown beside proto name": `{"display_name":"x","bogus":1}`,
		"wrong type":                `{"email":42}`,
	} {
		t.Run(name, func(t *testing.T) {
			rec := e.do(t, http.MethodPost, "/v1/users", body)
			expectStatus(t, rec, http.StatusBadRequest, codes.InvalidArgument, ReasonMalformedBody)
		})
	}
	if n := len(e.backend.recorded()); n != 0 {
		t.Fatalf("malformed body reached the backend (%d calls)", n)
	}
	// A backend's own INVALID_ARGUMENT keeps its details (not relabelled as malformed).
	rec := e.do(t, http.MethodGet, fmt.Sprintf("/v1/orders/code-%d", codes.InvalidArgument), "")
	expectStatus(t, rec, http.StatusBadRequest, codes.InvalidArgument, "TEST_REASON")
}

// An invalid query parameter is 400 with a Status body.
func TestBadQueryParameter(t *testing.T) {
	e := newTestEdge(t, nil)
	rec := e.do(t, http.MethodGet, "/v1/products?pageSize=lots", "")
	expectStatus(t, rec, http.StatusBadRequest, codes.InvalidArgument, "")
}
