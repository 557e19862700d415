package edge

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
)

// The mapping table, every code once (plus an undefined one).
func TestHTTPStatusTable(t *testing.T) {
	want := map[codes.Code]int{
		codes.OK:                 200,
		codes.Canceled:           499,
		codes.Unknown:            500,
		codes.InvalidArgument:    400,
		codes.DeadlineExceeded:   504,
		codes.NotFound:           404,
		codes.AlreadyExists:      409,
		codes.PermissionDenied:   403,
		codes.ResourceExhausted:  429,
		codes.FailedPrecondition: 400,
		codes.Aborted:            409,
		codes.OutOfRange:         400,
		codes.Unimplemented:      501,
		codes.Internal:           500,
		codes.Unavailable:        503,
		codes.DataLoss:           500,
		codes.Unauthenticated:    401,
		codes.Code(99):           500,
	}
	for c, w := range want {
		if got := HTTPStatus(c); got != w {
			t.Errorf("HTTPStatus(%v) = %d, want %d", c, got, w)
		}
	}
}

// Every code a backend can return reaches the client with the table's HTTP status and a
// google.rpc.Status body that keeps code, ErrorInfo and BadRequest as typed Any.
func TestBackendErrorsKeepCodeAndDetails(t *testing.T) {
	e := newTestEdge(t, nil)
	for c := codes.Canceled; c <= codes.Unauthenticated; c++ {
		t.Run(c.String(), func(t *testing.T) {
			rec := e.do(t, http.MethodGet, fmt.Sprintf("/v1/orders/code-%d", c), "")
			st := expectStatus(t, rec, HTTPStatus(c), c, "TEST_REASON")
			if got := errorInfo(t, st).GetDomain(); got != "orders.meshcart" {
				t.Errorf("ErrorInfo.domain = %q", got)
			}
			var br *errdetails.BadRequest
			for _, d := range st.GetDetails() {
				if d.MessageIs(&errdetails.BadRequest{}) {
					br = &errdetails.BadRequest{}
					if err := d.UnmarshalTo(br); err != nil {
						t.Fatal(err)
					}
				}
			}
			if br == nil || len(br.GetFieldViolations()) != 1 || br.GetFieldViolations()[0].GetField() != "order_id" {
				t.Fatalf("BadRequest detail missing or wrong: %v", st.GetDetails())
			}
		})
	}
}

// The raw JSON shape frontends parse: {code, message, details:[{"@type": ...}]}.
func TestErrorBodyJSONShape(t *testing.T) {
	e := newTestEdge(t, nil)
	rec := e.do(t, http.MethodGet, "/v1/orders/code-9", "")
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status %d", rec.Code)
	}
	m := jsonMap(t, rec.Body.Bytes())
	for _, k := range []string{"code", "message", "details"} {
		if _, ok := m[k]; !ok {
			t.Errorf("body has no %q: %s", k, rec.Body)
		}
	}
	if m["code"] != float64(codes.FailedPrecondition) {
		t.Errorf("code = %v", m["code"])
	}
	details := m["details"].([]any)
	var types []string
	for _, d := range details {
		types = append(types, d.(map[string]any)["@type"].(string))
	}
	want := []string{"type.googleapis.com/google.rpc.ErrorInfo", "type.googleapis.com/google.rpc.BadRequest"}
	if strings.Join(types, ",") != strings.Join(want, ",") {
		t.Errorf("detail types = %v, want %v", types, want)
	}
	info := details[0].(map[string]any)
	if info["reason"] != "TEST_REASON" || info["domain"] != "orders.meshcart" {
		t.Errorf("ErrorInfo = %v", info)
	}
	br := details[1].(map[string]any)
	if _, ok := br["fieldViolations"]; !ok {
		t.Errorf("BadRequest not lowerCamelCase: %v", br)
	}
}

// A 401 carries a Bearer challenge.
func TestUnauthenticatedChallenge(t *testing.T) {
	e := newTestEdge(t, nil)
	rec := e.do(t, http.MethodGet, fmt.Sprintf("/v1/orders/code-%d", codes.Unauthenticated), "")
	expectStatus(t, rec, 401, codes.Unauthenticated, "TEST_REASON")
	if h := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
		t.Errorf("WWW-Authenticate = %q", h)
	}
}

// Server-side failures without details never leak their message (addresses, causes):
// they keep code and HTTP status, and the cause is logged instead.
func TestServerErrorsWithoutDetailsAreSanitised(t *testing.T) {
	e := newTestEdge(t, nil)
	for _, c := range []codes.Code{codes.Internal, codes.Unknown, codes.DataLoss, codes.Unavailable} {
		rec := e.do(t, http.MethodGet, fmt.Sprintf("/v1/orders/plain-%d", c), "")
		expectStatus(t, rec, HTTPStatus(c), c, "")
		if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "10.9.8.7") {
			t.Errorf("%v: internal detail leaked: %s", c, rec.Body)
		}
	}
	if !strings.Contains(e.logs.String(), "hunter2") {
		t.Error("the cause should be logged")
	}
	// Client errors keep the backend's message (it is meant for the caller).
	rec := e.do(t, http.MethodGet, fmt.Sprintf("/v1/orders/plain-%d", codes.NotFound), "")
	expectStatus(t, rec, 404, codes.NotFound, "")
}

// An unreachable backend answers 503 UNAVAILABLE with reason BACKEND_UNAVAILABLE.
func TestBackendDownIs503(t *testing.T) {
	e := newTestEdge(t, func(c *Config) {
		for i := range c.Backends {
			c.Backends[i].Target = freeAddr(t)
		}
	})
	rec := e.do(t, http.MethodGet, "/v1/products/SKU-1", "")
	expectStatus(t, rec, 503, codes.Unavailable, ReasonBackendDown)
	if strings.Contains(rec.Body.String(), "127.0.0.1") {
		t.Errorf("backend address leaked: %s", rec.Body)
	}
}

// The gRPC deadline is EDGE_REQUEST_TIMEOUT: a backend that never answers yields 504.
func TestDeadlineIs504(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.RequestTimeout = 200 * time.Millisecond })
	start := time.Now()
	rec := e.do(t, http.MethodGet, "/v1/orders/slow", "")
	expectStatus(t, rec, 504, codes.DeadlineExceeded, "")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v, deadline not applied", d)
	}
}

// Partial availability: catalog down, the edge stays ready (degraded) and product reads
// answer 503 BACKEND_UNAVAILABLE, while the other backends' routes (order status, stock)
// are still served.
func TestCatalogDownOtherRoutesServed(t *testing.T) {
	e := newTestEdge(t, func(c *Config) {
		for i := range c.Backends {
			if c.Backends[i].Name == BackendCatalog {
				c.Backends[i].Target = freeAddr(t)
			}
		}
	})
	expectStatus(t, e.do(t, http.MethodGet, "/v1/products/SKU-1", ""), 503, codes.Unavailable, ReasonBackendDown)
	if code, body := readyBody(t, e); code != 200 || body.status != "degraded" {
		t.Fatalf("readyz = %d %+v", code, body)
	}
	if rec := e.do(t, http.MethodGet, "/v1/stock/SKU-1", ""); rec.Code != 200 {
		t.Fatalf("stock read with catalog down = %d %s", rec.Code, rec.Body)
	}
}
