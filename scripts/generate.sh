#!/usr/bin/env bash
# Regenerates gen/ts, gen/go and gen/openapi from proto/ with the pinned plugins.
# --check: regenerate, then fail if anything differs from what is committed.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go-tools.sh"
cd "$MESHCART_ROOT"
ensure_go_tool protoc-gen-go "$PROTOC_GEN_GO_MODULE"
ensure_go_tool protoc-gen-go-grpc "$PROTOC_GEN_GO_GRPC_MODULE"
ensure_go_tool protoc-gen-grpc-gateway "$PROTOC_GEN_GATEWAY_MODULE"
ensure_go_tool protoc-gen-openapiv2 "$PROTOC_GEN_OPENAPI_MODULE"
# --check compares gen/ before and after regenerating (not with git: a service made by
# `npm run new-service` and not yet committed is fresh too).
snapshot() { find gen -type f -not -path '*/node_modules/*' -print0 | sort -z | xargs -0 sha256sum; }
[ "${1:-}" = "--check" ] && before="$(snapshot)"
rm -rf gen/ts/shop gen/ts/google gen/go/shop gen/openapi/*.json
buf generate --path proto/shop
buf generate --template buf.gen.rpc.yaml --path third_party/google/rpc
# Descriptor set (with imports and source info) for gRPC server reflection: our contracts plus
# grpc.health.v1 and grpc.reflection.v1 (copied from grpc-health-check and @grpc/reflection), so
# reflection describes health and itself, and google.rpc (Status, ErrorInfo, BadRequest), so
# grpcurl and other reflection clients decode the error details every refusal carries.
buf build --path proto/shop --path third_party/grpc/health --path third_party/grpc/reflection \
  --path third_party/google/rpc -o gen/ts/descriptor.binpb
if [ "${1:-}" = "--check" ]; then
  if [ "$before" != "$(snapshot)" ]; then
    diff <(echo "$before") <(snapshot) | grep '^[<>]' | awk '{print $1, $3}' | sort -k2 -u >&2 || true
    die "generated code is stale: run 'npm run generate' and commit gen/"
  fi
  log "generated code is up to date"
fi
