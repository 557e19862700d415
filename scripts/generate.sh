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
# The edge's own answers that no proto declares: every operation can be rate limited (429) or
# shed / meet a backend that is down (503), both with Retry-After (gateway/internal/edge).
# protoc-gen-openapiv2 applies top-level responses only to the declaring file's paths, hence
# this step. JSON.stringify + Go's HTML escaping reproduce the generator's bytes exactly.
node - gen/openapi/meshcart.swagger.json <<'JS'
const fs = require('fs');
const file = process.argv[2];
const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before retrying (RetryInfo.retryDelay rounded up).',
    type: 'integer',
    format: 'int32',
  },
};
const status = { $ref: '#/definitions/rpcStatus' };
const edgeResponses = {
  429: {
    description:
      'Too many requests: the edge rate limit of the route class (RESOURCE_EXHAUSTED, RATE_LIMITED, with RetryInfo and QuotaFailure), or a backend quota (e.g. LOGIN_THROTTLED). Retry-After when the wait is known.',
    schema: status,
    headers: retryAfter,
  },
  503: {
    description:
      'Unavailable: the edge or a backend is shedding load (OVERLOADED, Retry-After given), or a backend or its database is down (BACKEND_UNAVAILABLE, DB_UNAVAILABLE). Retry later.',
    schema: status,
    headers: retryAfter,
  },
};
for (const item of Object.values(spec.paths ?? {}))
  for (const op of Object.values(item)) if (op?.responses) Object.assign(op.responses, edgeResponses);
const out = JSON.stringify(spec, null, 2).replace(
  /[<>&\u2028\u2029]/g,
  (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
);
fs.writeFileSync(file, out + '\n');
JS
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
