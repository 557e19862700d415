#!/usr/bin/env bash
# Installs whatever is missing, pinned and idempotent, into project-local paths:
#   npm packages (node_modules), Go tools (.tools/bin: protoc plugins, grpcurl, temporal, helm),
#   MariaDB from Debian (system package; the instance itself lives in .data/mariadb),
#   Prisma clients (generated, gitignored). A second run only checks and is fast.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go-tools.sh"
cd "$MESHCART_ROOT"
started=$SECONDS

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || die "Node.js >= 20 is required (found $(node -v 2>/dev/null || echo none))."

mkdir -p "$MESHCART_TOOLS"
# npm: reinstall only when package-lock.json changed since the last install.
stamp=node_modules/.meshcart-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing npm packages"
  # npm ci is exact; fall back to npm install (still lockfile-pinned) where this registry lacks
  # an other-platform optional build that npm ci insists on (see TOOLCHAIN.md).
  if ! npm ci --no-audit --no-fund >"$MESHCART_TOOLS/npm.log" 2>&1; then
    log "npm ci failed (log: $MESHCART_TOOLS/npm.log); retrying with npm install"
    npm install --no-audit --no-fund >>"$MESHCART_TOOLS/npm.log" 2>&1 || { tail -30 "$MESHCART_TOOLS/npm.log" >&2; die "npm install failed"; }
  fi
  echo "$want" >"$stamp"
fi

mkdir -p "$MESHCART_TOOLS/bin"
ensure_go_tool protoc-gen-go "$PROTOC_GEN_GO_MODULE"
ensure_go_tool protoc-gen-go-grpc "$PROTOC_GEN_GO_GRPC_MODULE"
ensure_go_tool protoc-gen-grpc-gateway "$PROTOC_GEN_GATEWAY_MODULE"
ensure_go_tool protoc-gen-openapiv2 "$PROTOC_GEN_OPENAPI_MODULE"
ensure_go_tool grpcurl "$GRPCURL_MODULE"
ensure_go_tool temporal "$TEMPORAL_CLI_MODULE"
ensure_go_tool helm "$HELM_MODULE"
"$MESHCART_ROOT/scripts/mariadb.sh" ensure
if [ -x scripts/prisma-generate.sh ] || [ -f scripts/prisma-generate.sh ]; then bash scripts/prisma-generate.sh; fi
log "bootstrap done in $((SECONDS - started))s"
