package edge

// routePolicy is what the edge enforces on a route before its body is read.
type routePolicy struct {
	// class is the rate-limit class.
	class rateClass
	// protected: the backend method needs a bearer token, so a request without a valid
	// one is refused (401) before its body is buffered (when the edge has the JWKS).
	protected bool
	// largeBody: the body may be up to EDGE_MAX_ORDER_BODY_BYTES instead of
	// EDGE_MAX_BODY_BYTES (an order carries its items and addresses).
	largeBody bool
}

// routePolicies: every public route, keyed "METHOD pattern" as the matched grpc-gateway
// pattern renders (routeOf). TestEveryRouteHasAPolicy fails when a route is added to the
// protos without an entry here. protected mirrors the backends' access rules ('customer'
// methods of services/orders/src/grpc/order.handlers.ts); the backends stay the authority.
var routePolicies = map[string]routePolicy{
	"POST /v1/users":                    {class: classAuth},
	"POST /v1/sessions":                 {class: classAuth},
	"POST /v1/orders":                   {class: classOrder, protected: true, largeBody: true},
	"POST /v1/orders/{order_id}:cancel": {class: classOrder, protected: true},
	"GET /v1/orders":                    {class: classRead, protected: true},
	"GET /v1/orders/{order_id}":         {class: classRead, protected: true},
	"GET /v1/products":                  {class: classRead},
	"GET /v1/products/{sku}":            {class: classRead},
	"GET /v1/stock/{sku}":               {class: classRead},
}

// defaultPolicy applies to a route missing from the table (logged as a warning): the
// generous class, the small body limit, no edge-side token check.
var defaultPolicy = routePolicy{class: classRead}

func policyFor(method, route string) (routePolicy, bool) {
	p, ok := routePolicies[method+" "+route]
	if !ok {
		return defaultPolicy, false
	}
	return p, true
}
