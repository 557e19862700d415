package edge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	catalogv1 "meshcart/gen/go/shop/catalog/v1"
	inventoryv1 "meshcart/gen/go/shop/inventory/v1"
	ordersv1 "meshcart/gen/go/shop/orders/v1"
	usersv1 "meshcart/gen/go/shop/users/v1"
)

// backend is one dialled gRPC backend. The connection is created once and shared by
// every request (grpc.ClientConn multiplexes and reconnects by itself).
type backend struct {
	cfg  BackendConfig
	conn *grpc.ClientConn
}

// publicServices registers the grpc-gateway handlers of the PUBLIC services only, each on
// its backend's connection. Internal and admin services (ReservationService,
// PaymentService, OrderSagaService, CatalogAdminService, ...) are never registered, and
// RPCs without a google.api.http rule have no route, so neither is reachable from HTTP.
var publicServices = []struct {
	backend  string
	service  string
	register func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error
}{
	{BackendUsers, "shop.users.v1.UserService", usersv1.RegisterUserServiceHandler},
	{BackendCatalog, "shop.catalog.v1.CatalogService", catalogv1.RegisterCatalogServiceHandler},
	{BackendInventory, "shop.inventory.v1.InventoryService", inventoryv1.RegisterInventoryServiceHandler},
	{BackendOrders, "shop.orders.v1.OrderService", ordersv1.RegisterOrderServiceHandler},
}

// backendKeepalive pings a connection with calls in flight after 30s without traffic and
// drops it 10s after an unanswered ping: the kit's Node clients use the same values
// (packages/kit/src/client/create-client.ts), which the services' servers accept. Flow
// control windows stay at grpc-go's defaults (64 KiB, grown by BDP estimation): the
// edge's messages are a few KiB at most.
var backendKeepalive = keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}

// dialBackends creates one client connection per backend. grpc.NewClient does not
// connect yet: it connects on first use and reconnects with backoff, so the edge starts
// even when a backend is down (/readyz says so). Plaintext: in the mesh the sidecar adds
// mTLS. With instrument, each call gets a client span and carries the current traceparent.
func dialBackends(cfgs []BackendConfig, instrument bool, extra ...grpc.DialOption) ([]*backend, error) {
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUserAgent("meshcart-edge"),
		grpc.WithKeepaliveParams(backendKeepalive),
	}
	if instrument {
		opts = append(opts, grpcClientTelemetry())
	}
	opts = append(opts, extra...)
	var out []*backend
	for _, c := range cfgs {
		conn, err := grpc.NewClient(c.Target, opts...)
		if err != nil {
			closeBackends(out)
			return nil, fmt.Errorf("%s=%q: %w", c.EnvVar, c.Target, err)
		}
		out = append(out, &backend{cfg: c, conn: conn})
	}
	return out, nil
}

func closeBackends(bs []*backend) error {
	var errs []error
	for _, b := range bs {
		if err := b.conn.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", b.cfg.Name, err))
		}
	}
	return errors.Join(errs...)
}

func registerPublicServices(ctx context.Context, mux *runtime.ServeMux, bs []*backend) error {
	byName := map[string]*backend{}
	for _, b := range bs {
		byName[b.cfg.Name] = b
	}
	for _, s := range publicServices {
		b, ok := byName[s.backend]
		if !ok {
			return fmt.Errorf("no backend %q configured for %s", s.backend, s.service)
		}
		if err := s.register(ctx, mux, b.conn); err != nil {
			return fmt.Errorf("register %s: %w", s.service, err)
		}
	}
	return nil
}
