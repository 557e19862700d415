package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "meshcart/gen/go/shop/catalog/v1"
	commonv1 "meshcart/gen/go/shop/common/v1"
	inventoryv1 "meshcart/gen/go/shop/inventory/v1"
	ordersv1 "meshcart/gen/go/shop/orders/v1"
	paymentsv1 "meshcart/gen/go/shop/payments/v1"
	usersv1 "meshcart/gen/go/shop/users/v1"
)

// repoSpec is the generated spec, relative to this package's directory.
var repoSpec = filepath.Join("..", "..", "..", "gen", "openapi", OpenAPIFileName)

// call is one RPC the fake backend received.
type call struct {
	method string
	md     metadata.MD
	req    proto.Message
}

// fakeBackend is a real in-process gRPC server on 127.0.0.1:0 that serves the public
// services (and, to prove the edge never routes to them, some internal ones) plus the
// standard health service. A unary interceptor records every call and answers it.
type fakeBackend struct {
	addr   string
	srv    *grpc.Server
	health *health.Server

	mu    sync.Mutex
	calls []call
}

type unimplementedUsers struct {
	usersv1.UnimplementedUserServiceServer
}
type unimplementedCatalog struct {
	catalogv1.UnimplementedCatalogServiceServer
}
type unimplementedInventory struct {
	inventoryv1.UnimplementedInventoryServiceServer
}
type unimplementedOrders struct {
	ordersv1.UnimplementedOrderServiceServer
}
type unimplementedReservations struct {
	inventoryv1.UnimplementedReservationServiceServer
}
type unimplementedPayments struct {
	paymentsv1.UnimplementedPaymentServiceServer
}
type unimplementedSaga struct {
	ordersv1.UnimplementedOrderSagaServiceServer
}

func startFakeBackend(t *testing.T) *fakeBackend {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fb := &fakeBackend{addr: lis.Addr().String(), health: health.NewServer()}
	fb.srv = grpc.NewServer(grpc.UnaryInterceptor(fb.intercept))
	usersv1.RegisterUserServiceServer(fb.srv, unimplementedUsers{})
	catalogv1.RegisterCatalogServiceServer(fb.srv, unimplementedCatalog{})
	inventoryv1.RegisterInventoryServiceServer(fb.srv, unimplementedInventory{})
	ordersv1.RegisterOrderServiceServer(fb.srv, unimplementedOrders{})
	inventoryv1.RegisterReservationServiceServer(fb.srv, unimplementedReservations{})
	paymentsv1.RegisterPaymentServiceServer(fb.srv, unimplementedPayments{})
	ordersv1.RegisterOrderSagaServiceServer(fb.srv, unimplementedSaga{})
	healthpb.RegisterHealthServer(fb.srv, fb.health)
	go func() { _ = fb.srv.Serve(lis) }()
	t.Cleanup(fb.srv.Stop)
	return fb
}

func (fb *fakeBackend) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if strings.HasPrefix(info.FullMethod, "/grpc.health.v1.") {
		return handler(ctx, req)
	}
	md, _ := metadata.FromIncomingContext(ctx)
	fb.mu.Lock()
	fb.calls = append(fb.calls, call{method: info.FullMethod, md: md.Copy(), req: proto.Clone(req.(proto.Message))})
	fb.mu.Unlock()
	// Response metadata the edge must NOT pass on to HTTP clients.
	_ = grpc.SetHeader(ctx, metadata.Pairs("x-internal-secret", "s3cr3t"))
	return respond(ctx, info.FullMethod, req)
}

func (fb *fakeBackend) recorded() []call {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	return append([]call(nil), fb.calls...)
}

func (fb *fakeBackend) lastCall(t *testing.T) call {
	t.Helper()
	cs := fb.recorded()
	if len(cs) == 0 {
		t.Fatal("backend received no call")
	}
	return cs[len(cs)-1]
}

// errWithDetails builds the status a meshcart service sends for a domain error:
// ErrorInfo plus a BadRequest field violation.
func errWithDetails(code codes.Code) error {
	st, err := status.New(code, "test failure").WithDetails(
		&errdetails.ErrorInfo{Reason: "TEST_REASON", Domain: "orders.meshcart", Metadata: map[string]string{"k": "v"}},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "order_id", Description: "bad"}}},
	)
	if err != nil {
		panic(err)
	}
	return st.Err()
}

// statusWithReason builds the status of an "st-N-REASON[-retry-MS]" order id.
func statusWithReason(id string) error {
	parts := strings.Split(strings.TrimPrefix(id, "st-"), "-")
	n, _ := strconv.Atoi(parts[0])
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: parts[1], Domain: "orders.meshcart"}}
	if len(parts) == 4 && parts[2] == "retry" {
		ms, _ := strconv.Atoi(parts[3])
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(time.Duration(ms) * time.Millisecond)})
	}
	st, err := status.New(codes.Code(n), "backend says no").WithDetails(details...)
	if err != nil {
		panic(err)
	}
	return st.Err()
}

func testOrder(id string) *ordersv1.Order {
	return &ordersv1.Order{
		Id:     id,
		Status: ordersv1.OrderStatus_ORDER_STATUS_PENDING,
		Items: []*ordersv1.OrderItem{{Sku: "SKU-1", Quantity: 2, Name: "Mug",
			UnitPrice: &commonv1.Money{CurrencyCode: "EUR", AmountMinor: 1250}}},
		Total:      &commonv1.Money{CurrencyCode: "EUR", AmountMinor: 9007199254740993}, // > 2^53: must arrive as a string
		CreateTime: timestamppb.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
	}
}

// respond answers by method; GetOrder's order_id selects a behaviour:
// "code-N" fails with code N and details, "plain-N" fails with code N and no details,
// "st-N-REASON[-retry-MS]" fails with code N, ErrorInfo REASON (and RetryInfo MS),
// "slow" waits for the deadline, "sleep-MS" answers after MS milliseconds.
func respond(ctx context.Context, method string, req any) (any, error) {
	switch method {
	case "/shop.users.v1.UserService/RegisterUser":
		r := req.(*usersv1.RegisterUserRequest)
		return &usersv1.RegisterUserResponse{User: &usersv1.User{Id: "u-1", Email: r.GetEmail(), DisplayName: r.GetDisplayName()}}, nil
	case "/shop.users.v1.UserService/CreateSession":
		return &usersv1.CreateSessionResponse{AccessToken: "jwt", ExpireTime: timestamppb.Now()}, nil
	case "/shop.catalog.v1.CatalogService/ListProducts":
		return &catalogv1.ListProductsResponse{Products: []*catalogv1.Product{{Sku: "SKU-1"}}}, nil
	case "/shop.catalog.v1.CatalogService/GetProduct":
		r := req.(*catalogv1.GetProductRequest)
		return &catalogv1.GetProductResponse{Product: &catalogv1.Product{Sku: r.GetSku(), Name: "Mug",
			Price: &commonv1.Money{CurrencyCode: "EUR", AmountMinor: 1999}}}, nil
	case "/shop.inventory.v1.InventoryService/GetStock":
		return &inventoryv1.GetStockResponse{Sku: req.(*inventoryv1.GetStockRequest).GetSku(), Available: 7}, nil
	case "/shop.orders.v1.OrderService/PlaceOrder":
		return &ordersv1.PlaceOrderResponse{Order: testOrder("o-new")}, nil
	case "/shop.orders.v1.OrderService/ListOrders":
		return &ordersv1.ListOrdersResponse{Orders: []*ordersv1.Order{testOrder("o-1")}}, nil
	case "/shop.orders.v1.OrderService/CancelOrder":
		return &ordersv1.CancelOrderResponse{Order: testOrder(req.(*ordersv1.CancelOrderRequest).GetOrderId())}, nil
	case "/shop.orders.v1.OrderService/GetOrder":
		id := req.(*ordersv1.GetOrderRequest).GetOrderId()
		switch {
		case strings.HasPrefix(id, "code-"):
			n, _ := strconv.Atoi(strings.TrimPrefix(id, "code-"))
			return nil, errWithDetails(codes.Code(n))
		case strings.HasPrefix(id, "plain-"):
			n, _ := strconv.Atoi(strings.TrimPrefix(id, "plain-"))
			return nil, status.Error(codes.Code(n), "db password=hunter2 at 10.9.8.7:3306")
		case strings.HasPrefix(id, "st-"):
			return nil, statusWithReason(id)
		case id == "slow":
			<-ctx.Done()
			return nil, status.FromContextError(ctx.Err()).Err()
		case strings.HasPrefix(id, "sleep-"):
			ms, _ := strconv.Atoi(strings.TrimPrefix(id, "sleep-"))
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
		return &ordersv1.GetOrderResponse{Order: testOrder(id)}, nil
	}
	return nil, status.Error(codes.Unimplemented, "not in the fake")
}

// testConfig points every backend at addr.
func testConfig(addr string) Config {
	cfg := Config{
		HTTPAddr:       "127.0.0.1:0",
		MaxBodyBytes:   4096,
		RequestTimeout: 5 * time.Second,
		OpenAPIPath:    repoSpec,
		LogLevel:       slog.LevelDebug,
	}
	for _, b := range backendEnv {
		cfg.Backends = append(cfg.Backends, BackendConfig{Name: b.backend, EnvVar: b.env.name, Target: addr})
	}
	return cfg
}

type testEdge struct {
	*Server
	backend *fakeBackend
	logs    *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestEdge starts a fake backend and an edge over it; mutate adjusts the config.
func newTestEdge(t *testing.T, mutate func(*Config)) *testEdge {
	t.Helper()
	fb := startFakeBackend(t)
	cfg := testConfig(fb.addr)
	if mutate != nil {
		mutate(&cfg)
	}
	logs := &syncBuffer{}
	s, err := New(context.Background(), cfg, NewLogger(logs, slog.LevelDebug))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return &testEdge{Server: s, backend: fb, logs: logs}
}

// do sends one request through the edge's handler.
func (e *testEdge) do(t *testing.T, method, target, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, req)
	return rec
}

// decodeStatus parses a google.rpc.Status body strictly (Any types must resolve).
func decodeStatus(t *testing.T, body []byte) *spb.Status {
	t.Helper()
	st := &spb.Status{}
	if err := protojson.Unmarshal(body, st); err != nil {
		t.Fatalf("body is not a google.rpc.Status: %v\n%s", err, body)
	}
	return st
}

// errorInfo returns the status's ErrorInfo detail, failing when there is none.
func errorInfo(t *testing.T, st *spb.Status) *errdetails.ErrorInfo {
	t.Helper()
	for _, d := range st.GetDetails() {
		info := &errdetails.ErrorInfo{}
		if d.MessageIs(info) {
			if err := d.UnmarshalTo(info); err != nil {
				t.Fatal(err)
			}
			return info
		}
	}
	t.Fatalf("no ErrorInfo detail in %v", st)
	return nil
}

// expectStatus asserts the HTTP status, a Status body with the gRPC code, and (when
// reason != "") an ErrorInfo with that reason.
func expectStatus(t *testing.T, rec *httptest.ResponseRecorder, httpStatus int, code codes.Code, reason string) *spb.Status {
	t.Helper()
	if rec.Code != httpStatus {
		t.Fatalf("HTTP status = %d, want %d; body %s", rec.Code, httpStatus, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	st := decodeStatus(t, rec.Body.Bytes())
	if codes.Code(st.GetCode()) != code {
		t.Fatalf("status code = %v, want %v; body %s", codes.Code(st.GetCode()), code, rec.Body)
	}
	if reason != "" {
		if got := errorInfo(t, st).GetReason(); got != reason {
			t.Fatalf("ErrorInfo.reason = %q, want %q", got, reason)
		}
	}
	return st
}

func jsonMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	return m
}

// freeAddr returns a 127.0.0.1 address nothing listens on (listen, then close).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}
