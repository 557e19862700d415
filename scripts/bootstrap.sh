#!/usr/bin/env bash
# Installs whatever is missing, pinned and idempotent, into project-local paths:
#   npm packages (node_modules), Go tools (.tools/bin: protoc plugins, grpcurl, temporal, helm),
#   MariaDB from Debian (system package; the instance itself lives in .data/mariadb),
#   Prisma clients (generated, gitignored). A second run only checks and is fast.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go-tools.sh"
cd "$MESHCART_ROOT"
started=$SECONDS

mkdir -p "$MESHCART_TOOLS"
# The pinned runtime first: npm ci below and everything after it runs on it.
ensure_node
[ "$(node --version)" = "v$MESHCART_NODE_VERSION" ] || die "node on PATH is $(node --version), expected v$MESHCART_NODE_VERSION"

# npm: reinstall only when package-lock.json changed since the last install.
stamp=node_modules/.meshcart-lock.sha
want="$(sha256sum package-lock.json | cut -d' ' -f1) node-$MESHCART_NODE_VERSION"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing npm packages (npm ci)"
  # npm ci only: exact, from the committed lockfile, never rewriting it. The lockfile lists every
  # platform's optional builds (@swc/core-*, @unrs/*), so it installs on any machine; install
  # scripts of dependencies are denied explicitly in package.json's allowScripts (every binary we
  # need ships inside its package).
  npm ci --no-audit --no-fund >"$MESHCART_TOOLS/npm.log" 2>&1 ||
    { tail -30 "$MESHCART_TOOLS/npm.log" >&2; die "npm ci failed (log: $MESHCART_TOOLS/npm.log)"; }
  if grep -q EBADENGINE "$MESHCART_TOOLS/npm.log"; then
    grep EBADENGINE "$MESHCART_TOOLS/npm.log" >&2
    die "a dependency does not support Node $MESHCART_NODE_VERSION (EBADENGINE above)"
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
# stripe-mock (payments tests, PAYMENT_PROVIDER=stripe npm start), built once per version.
bash "$MESHCART_ROOT/scripts/stripe-mock.sh" ensure
if [ -x scripts/prisma-generate.sh ] || [ -f scripts/prisma-generate.sh ]; then bash scripts/prisma-generate.sh; fi
log "bootstrap done in $((SECONDS - started))s"
