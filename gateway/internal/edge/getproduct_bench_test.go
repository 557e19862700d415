package edge

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "meshcart/gen/go/shop/catalog/v1"
	commonv1 "meshcart/gen/go/shop/common/v1"
)

// Benchmarks of GET /v1/products/{sku} through the edge (bench/ issue 9):
//
//	cd gateway && go test -bench GetProduct -benchmem -run '^$' ./internal/edge/
//
// The backend is a fake CatalogService on a real loopback gRPC connection, answering with
// a product shaped like the bench's (bench/lib/stack.ts BENCH_PRODUCTS). Telemetry is set
// up as the bench stack runs the edge: StartTelemetry with no exporter and no /metrics
// (METRICS_PORT=0), i.e. only the W3C propagator installed. The access log goes where
// main sends it (see benchLogger) on top of: io.Discard, a pipe drained by a goroutine
// (stdout under the stack's supervisor), or a file.

const benchSKU = "BENCH-0001"

type benchCatalog struct {
	catalogv1.UnimplementedCatalogServiceServer
	product *catalogv1.Product
}

func (c *benchCatalog) GetProduct(context.Context, *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	return &catalogv1.GetProductResponse{Product: c.product}, nil
}

// startBenchCatalog serves benchCatalog on 127.0.0.1:0 and returns its address.
func startBenchCatalog(b *testing.B) string {
	b.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := grpc.NewServer()
	catalogv1.RegisterCatalogServiceServer(srv, &benchCatalog{product: &catalogv1.Product{
		Sku:         benchSKU,
		Name:        "Cast Iron Skillet 20 cm",
		Description: "Pre-seasoned skillet for every hob, oven safe. Benchmark product, never sold out.",
		Category:    "kitchen",
		Price:       &commonv1.Money{CurrencyCode: "EUR", AmountMinor: 3990},
		Active:      true,
		UpdateTime:  timestamppb.Now(),
	}})
	go func() { _ = srv.Serve(lis) }()
	b.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// benchSink opens the access log destination named by sink.
func benchSink(b *testing.B, sink string) io.Writer {
	b.Helper()
	switch sink {
	case "discard":
		return io.Discard
	case "pipe":
		r, w, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _, _ = io.Copy(io.Discard, r); close(done) }()
		b.Cleanup(func() { _ = w.Close(); <-done; _ = r.Close() })
		return w
	case "file":
		f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = f.Close() })
		return f
	}
	b.Fatalf("unknown sink %q", sink)
	return nil
}

// benchLogger builds the process logger on w the way main does (a LogWriter in front).
func benchLogger(b *testing.B, w io.Writer) *slog.Logger {
	b.Helper()
	lw := NewLogWriter(w)
	b.Cleanup(func() { _ = lw.Close() })
	return NewLogger(lw, slog.LevelInfo)
}

// newBenchEdge returns the edge's handler with every backend on one fake catalog.
func newBenchEdge(b *testing.B, sink string) http.Handler {
	b.Helper()
	logger := benchLogger(b, benchSink(b, sink))
	tel, err := StartTelemetry(context.Background(), TelemetryConfig{ServiceName: "edge-bench"}, logger)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = tel.Shutdown(context.Background())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	cfg := testConfig(startBenchCatalog(b))
	cfg.LogLevel = slog.LevelInfo
	s, err := New(context.Background(), cfg, logger)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	// One checked request: connects the backend and proves the route works.
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/products/"+benchSKU, nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"sku":"`+benchSKU+`"`) {
		b.Fatalf("GET /v1/products/%s: %d %s", benchSKU, rec.Code, rec.Body)
	}
	return s.Handler()
}

// processCPU is the user+system CPU time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU runs the timed part and reports process CPU per request (edge, fake backend
// and, for the HTTP variant, the client), the figure that matters on a saturated machine.
func measureCPU(b *testing.B, run func()) {
	b.ReportAllocs()
	b.ResetTimer()
	start := processCPU()
	run()
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

func serveGetProduct(b *testing.B, h http.Handler) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/products/"+benchSKU, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// BenchmarkGetProduct: the handler chain called directly (no HTTP parsing), one request
// at a time, and with 16 goroutines per GOMAXPROCS in flight (like wrk -c 16 on 1 core).
func BenchmarkGetProduct(b *testing.B) {
	for _, sink := range []string{"discard", "pipe", "file"} {
		b.Run("log="+sink, func(b *testing.B) {
			h := newBenchEdge(b, sink)
			measureCPU(b, func() {
				for b.Loop() {
					serveGetProduct(b, h)
				}
			})
		})
	}
	for _, sink := range []string{"discard", "pipe"} {
		b.Run("log="+sink+"/parallel", func(b *testing.B) {
			h := newBenchEdge(b, sink)
			b.SetParallelism(16)
			measureCPU(b, func() {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						serveGetProduct(b, h)
					}
				})
			})
		})
	}
}

// BenchmarkGetProductHTTP: the same through a real net/http server over loopback with a
// keep-alive HTTP/1.1 client (the client's own cost is included).
func BenchmarkGetProductHTTP(b *testing.B) {
	srv := httptest.NewServer(newBenchEdge(b, "pipe"))
	b.Cleanup(srv.Close)
	client := srv.Client()
	url := srv.URL + "/v1/products/" + benchSKU
	measureCPU(b, func() {
		for b.Loop() {
			resp, err := client.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

// BenchmarkGetProductDirect is the baseline (what ghz measures): the same GetProduct on
// a plain gRPC connection to the same fake catalog, no edge. The edge's own cost is
// GetProduct minus this.
func BenchmarkGetProductDirect(b *testing.B) {
	conn, err := grpc.NewClient(startBenchCatalog(b), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close() })
	client := catalogv1.NewCatalogServiceClient(conn)
	call := func() {
		if _, err := client.GetProduct(context.Background(), &catalogv1.GetProductRequest{Sku: benchSKU}); err != nil {
			b.Fatal(err)
		}
	}
	call()
	b.Run("serial", func(b *testing.B) {
		measureCPU(b, func() {
			for b.Loop() {
				call()
			}
		})
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(16)
		measureCPU(b, func() {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					call()
				}
			})
		})
	})
}
