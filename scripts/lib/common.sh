# Shared shell helpers for meshcart scripts. Source it; do not run it.
# Everything installs into project-local paths (.tools/, .data/) and is reused when present.
set -euo pipefail
MESHCART_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export MESHCART_ROOT
export MESHCART_TOOLS="${MESHCART_TOOLS:-$MESHCART_ROOT/.tools}"
export MESHCART_DATA="${MESHCART_DATA:-$MESHCART_ROOT/.data}"
export PATH="$MESHCART_TOOLS/bin:$MESHCART_ROOT/node_modules/.bin:$PATH"

# Pinned tool versions (Go module proxy). Change here only.
TEMPORAL_CLI_MODULE="github.com/temporalio/cli/cmd/temporal@v1.5.1"
PROTOC_GEN_GO_MODULE="google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.11"
PROTOC_GEN_GO_GRPC_MODULE="google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1"
PROTOC_GEN_GATEWAY_MODULE="github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@v2.27.3"
PROTOC_GEN_OPENAPI_MODULE="github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2@v2.27.3"
GRPCURL_MODULE="github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3"
HELM_MODULE="helm.sh/helm/v4/cmd/helm@v4.2.4"

log() { printf '\033[36m[meshcart]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[meshcart] error:\033[0m %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# port_free PORT -> 0 when nothing listens on 127.0.0.1:PORT
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port PORT SECONDS NAME -> waits until something listens
wait_port() {
  local port=$1 secs=$2 name=$3 i
  for ((i = 0; i < secs * 5; i++)); do
    port_free "$port" || return 0
    sleep 0.2
  done
  die "$name did not start listening on 127.0.0.1:$port within ${secs}s"
}

# pid_alive FILE -> 0 when the pid in FILE is a running process
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile FILE SECONDS: SIGTERM the process in FILE, wait up to SECONDS for it to exit, then
# SIGKILL; removes FILE. Nothing to do when FILE is absent or its process is gone.
stop_pidfile() {
  pid_alive "$1" || return 0
  local pid; pid=$(cat "$1")
  kill "$pid" 2>/dev/null || true
  local i; for ((i = 0; i < $2 * 5; i++)); do kill -0 "$pid" 2>/dev/null || { rm -f "$1"; return 0; }; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true; rm -f "$1"
}

# The pinned Node.js runtime goes first on PATH (scripts/lib/node-runtime.sh).
source "$MESHCART_ROOT/scripts/lib/node-runtime.sh"
