package edge

import (
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	catalogv1 "meshcart/gen/go/shop/catalog/v1"
	commonv1 "meshcart/gen/go/shop/common/v1"
	inventoryv1 "meshcart/gen/go/shop/inventory/v1"
	ordersv1 "meshcart/gen/go/shop/orders/v1"
	usersv1 "meshcart/gen/go/shop/users/v1"
)

// Each public route reaches exactly its RPC with the request built from path, query and
// lowerCamelCase JSON body.
func TestPublicRoutes(t *testing.T) {
	cases := []struct {
		method, target, body string
		rpc                  string
		want                 proto.Message
	}{
		{"POST", "/v1/users", `{"email":"a@example.com","password":"pw-123456","displayName":"Ann"}`,
			"/shop.users.v1.UserService/RegisterUser",
			&usersv1.RegisterUserRequest{Email: "a@example.com", Password: "pw-123456", DisplayName: "Ann"}},
		{"POST", "/v1/sessions", `{"email":"a@example.com","password":"pw-123456"}`,
			"/shop.users.v1.UserService/CreateSession",
			&usersv1.CreateSessionRequest{Email: "a@example.com", Password: "pw-123456"}},
		{"GET", "/v1/products?pageSize=5&pageToken=tok&category=mugs", "",
			"/shop.catalog.v1.CatalogService/ListProducts",
			&catalogv1.ListProductsRequest{PageSize: 5, PageToken: "tok", Category: "mugs"}},
		{"GET", "/v1/products/SKU-1", "", "/shop.catalog.v1.CatalogService/GetProduct",
			&catalogv1.GetProductRequest{Sku: "SKU-1"}},
		{"GET", "/v1/stock/SKU-1", "", "/shop.inventory.v1.InventoryService/GetStock",
			&inventoryv1.GetStockRequest{Sku: "SKU-1"}},
		{"POST", "/v1/orders", `{"requestId":"r-1","items":[{"sku":"SKU-1","quantity":2}],` +
			`"shippingAddress":{"recipient":"Ann","lines":["1 Main St"],"city":"Oslo","postalCode":"0150","countryCode":"NO"},` +
			`"paymentToken":"tok_visa"}`,
			"/shop.orders.v1.OrderService/PlaceOrder",
			&ordersv1.PlaceOrderRequest{RequestId: "r-1", Items: []*ordersv1.PlaceOrderItem{{Sku: "SKU-1", Quantity: 2}},
				ShippingAddress: &commonv1.Address{Recipient: "Ann", Lines: []string{"1 Main St"}, City: "Oslo", PostalCode: "0150", CountryCode: "NO"},
				PaymentToken:    "tok_visa"}},
		{"GET", "/v1/orders/o-1", "", "/shop.orders.v1.OrderService/GetOrder",
			&ordersv1.GetOrderRequest{OrderId: "o-1"}},
		{"GET", "/v1/orders?pageSize=3", "", "/shop.orders.v1.OrderService/ListOrders",
			&ordersv1.ListOrdersRequest{PageSize: 3}},
		{"POST", "/v1/orders/o-1:cancel", `{}`, "/shop.orders.v1.OrderService/CancelOrder",
			&ordersv1.CancelOrderRequest{OrderId: "o-1"}},
		{"POST", "/v1/orders/o-2:cancel", "", "/shop.orders.v1.OrderService/CancelOrder",
			&ordersv1.CancelOrderRequest{OrderId: "o-2"}},
	}
	e := newTestEdge(t, nil)
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			before := len(e.backend.recorded())
			rec := e.do(t, c.method, c.target, c.body)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			calls := e.backend.recorded()
			if len(calls) != before+1 {
				t.Fatalf("backend got %d calls, want 1", len(calls)-before)
			}
			got := calls[len(calls)-1]
			if got.method != c.rpc {
				t.Fatalf("rpc = %s, want %s", got.method, c.rpc)
			}
			if !proto.Equal(got.req, c.want) {
				t.Errorf("request = %v, want %v", got.req, c.want)
			}
		})
	}
}

// Responses are protojson: lowerCamelCase, every field present, int64 as strings, enums
// as names.
func TestResponseJSONShape(t *testing.T) {
	e := newTestEdge(t, nil)
	rec := e.do(t, http.MethodGet, "/v1/orders/o-9", "")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	order := jsonMap(t, rec.Body.Bytes())["order"].(map[string]any)
	for _, k := range []string{"id", "status", "cancellationReason", "items", "total", "paymentStatus",
		"shipmentStatus", "createTime", "updateTime", "shippingAddress", "requestId", "statusDetail", "statusMessage"} {
		if _, ok := order[k]; !ok {
			t.Errorf("order has no %q (unpopulated fields must be emitted): %v", k, order)
		}
	}
	if strings.Contains(rec.Body.String(), "cancellation_reason") {
		t.Error("snake_case names in the response")
	}
	total := order["total"].(map[string]any)
	if total["amountMinor"] != "9007199254740993" || total["currencyCode"] != "EUR" {
		t.Errorf("total = %v (int64 must be a string)", total)
	}
	if order["status"] != "ORDER_STATUS_PENDING" {
		t.Errorf("status = %v", order["status"])
	}
	if order["cancellationReason"] != "" {
		t.Errorf("cancellationReason = %v", order["cancellationReason"])
	}

	rec = e.do(t, http.MethodGet, "/v1/stock/SKU-1", "")
	stock := jsonMap(t, rec.Body.Bytes())
	if stock["sku"] != "SKU-1" || stock["available"] != float64(7) {
		t.Errorf("stock = %v", stock)
	}
	rec = e.do(t, http.MethodGet, "/v1/products", "")
	list := jsonMap(t, rec.Body.Bytes())
	if _, ok := list["nextPageToken"]; !ok {
		t.Errorf("nextPageToken missing: %v", list)
	}
}

// Internal services, RPCs without an http rule and unknown paths are 404 (a Status
// body, code NOT_FOUND) and never reach a backend, whatever the method or content type.
func TestNotRoutable(t *testing.T) {
	e := newTestEdge(t, nil)
	paths := []struct{ method, path string }{
		{"POST", "/shop.payments.v1.PaymentService/AuthorizePayment"},
		{"POST", "/shop.inventory.v1.ReservationService/ReserveStock"},
		{"POST", "/shop.orders.v1.OrderSagaService/RecordOrderProgress"},
		{"POST", "/shop.orders.v1.OrderAdminService/GetOrderDetails"},
		{"POST", "/shop.catalog.v1.CatalogAdminService/CreateProduct"},
		{"POST", "/shop.orders.v1.OrderService/GetOrder"},
		{"POST", "/grpc.health.v1.Health/Check"},
		{"GET", "/v1/users/u-1"},          // GetUser: no http rule
		{"GET", "/v1/addresses"},          // ListAddresses: no http rule
		{"POST", "/v1/products:batchGet"}, // BatchGetProducts: no http rule
		{"GET", "/v1/payments/p-1"},
		{"GET", "/nope"},
		{"GET", "/"},
	}
	for _, p := range paths {
		rec := e.do(t, p.method, p.path, `{}`, "Content-Type", "application/grpc")
		expectStatus(t, rec, http.StatusNotFound, codes.NotFound, ReasonRouteNotFound)
	}
	if n := len(e.backend.recorded()); n != 0 {
		t.Fatalf("backend received %d calls: %v", n, e.backend.recorded())
	}
}

// A known path with the wrong method is 405 with a Status body (no POST->GET fallback).
func TestWrongMethodIs405(t *testing.T) {
	e := newTestEdge(t, nil)
	for _, p := range []struct{ method, path string }{
		{"DELETE", "/v1/orders"},
		{"PUT", "/v1/products/SKU-1"},
		{"GET", "/v1/users"},
		{"PATCH", "/v1/stock/SKU-1"},
		{"POST", "/healthz"},
		{"POST", "/openapi.json"},
	} {
		rec := e.do(t, p.method, p.path, "")
		expectStatus(t, rec, http.StatusMethodNotAllowed, codes.Unimplemented, ReasonMethodNotAllowed)
	}
	// A form POST to a GET route must not be served as the GET (path-length fallback).
	rec := e.do(t, "POST", "/v1/products", "", "Content-Type", "application/x-www-form-urlencoded")
	expectStatus(t, rec, http.StatusMethodNotAllowed, codes.Unimplemented, ReasonMethodNotAllowed)
	if n := len(e.backend.recorded()); n != 0 {
		t.Fatalf("backend received %d calls", n)
	}
}

// Only the four public services are registered.
func TestOnlyPublicServicesRegistered(t *testing.T) {
	want := []string{"shop.users.v1.UserService", "shop.catalog.v1.CatalogService",
		"shop.inventory.v1.InventoryService", "shop.orders.v1.OrderService"}
	var got []string
	for _, s := range publicServices {
		got = append(got, s.service)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("registered %v, want %v", got, want)
	}
}
