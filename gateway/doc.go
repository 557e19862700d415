// Command gateway is the meshcart JSON edge: a grpc-gateway v2 reverse proxy that
// exposes the public RPCs (users, catalog, inventory, orders) as JSON over HTTP, serves
// the generated OpenAPI spec, and answers /healthz and /readyz. All logic lives in
// internal/edge; main only wires configuration, logging and signals. See README.md.
package main
