#!/usr/bin/env bash
# Project-local Temporal dev server (the real server, built from the Go module proxy):
#   scripts/temporal.sh ensure|start|configure|stop|status|pidfile
# SQLite file in .data/temporal, frontend 127.0.0.1:$MESHCART_TEMPORAL_PORT (7233),
# Web UI on $MESHCART_TEMPORAL_UI_PORT (8233), its HTTP API and /metrics on
# $MESHCART_TEMPORAL_HTTP_PORT / $MESHCART_TEMPORAL_METRICS_PORT (UI port + 1 / + 2). Every port is
# given explicitly: left to itself the CLI picks random ephemeral ports, which can collide with a
# port a caller has chosen but not bound yet. With TEMPORAL_ADDRESS set, nothing is started.
# MESHCART_TEMPORAL_DB=memory keeps everything in memory (gone on stop; the benchmarks use it).
# Eager activity dispatch is on: a worker completing a workflow task gets the activity it
# scheduled in the same response (the saga's steps skip a matching round trip each).
# The saga's search attributes (saga/src/contract/search-attributes.ts; saga/test/
# search-attributes.test.ts keeps this list equal to it) are registered at start, and again
# (idempotently) when a server is already running, so the saga can upsert them. The namespace
# keeps closed workflows for $MESHCART_TEMPORAL_RETENTION (default 3d: a developer machine; the
# chart's temporal.namespace.retention is the production choice, README "Operating the saga").
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go-tools.sh"

PORT="${MESHCART_TEMPORAL_PORT:-7233}"
UI_PORT="${MESHCART_TEMPORAL_UI_PORT:-8233}"
HTTP_PORT="${MESHCART_TEMPORAL_HTTP_PORT:-$((UI_PORT + 1))}"
METRICS_PORT="${MESHCART_TEMPORAL_METRICS_PORT:-$((UI_PORT + 2))}"
DIR="$MESHCART_DATA/temporal"
PIDFILE="$DIR/temporal.pid"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${MESHCART_TEMPORAL_RETENTION:-3d}"
SEARCH_ATTRIBUTES=(CustomerId=Keyword OrderStatus=Keyword SagaStep=Keyword PaymentStatus=Keyword
  OrderTotalMinor=Int OrderCurrency=Keyword)

ensure() { mkdir -p "$MESHCART_TOOLS"; ensure_go_tool temporal "$TEMPORAL_CLI_MODULE"; }

cli() { "$MESHCART_TOOLS/bin/temporal" "$@" --address "127.0.0.1:$PORT"; }

# Search attributes and retention on a running server (idempotent): one started by an older
# version of this script, or the namespace's retention changed since.
configure() {
  local listed sa
  listed="$(cli operator search-attribute list -n "$NAMESPACE" -o json)" ||
    die "cannot list search attributes of namespace $NAMESPACE"
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do
    grep -q "\"${sa%%=*}\"" <<<"$listed" && continue
    cli operator search-attribute create -n "$NAMESPACE" --name "${sa%%=*}" --type "${sa#*=}" >/dev/null ||
      die "cannot register search attribute $sa in namespace $NAMESPACE"
  done
  cli operator namespace update -n "$NAMESPACE" --retention "$RETENTION" >/dev/null ||
    die "cannot set the retention of namespace $NAMESPACE to $RETENTION"
}

start() {
  [ -n "${TEMPORAL_ADDRESS:-}" ] && { log "using TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS, not starting a dev server"; return 0; }
  ensure
  if pid_alive "$PIDFILE"; then configure; return 0; fi
  port_free "$PORT" || die "port $PORT is taken by another program; set MESHCART_TEMPORAL_PORT to a free port (or stop it)."
  port_free "$UI_PORT" || die "port $UI_PORT is taken by another program; set MESHCART_TEMPORAL_UI_PORT to a free port."
  port_free "$HTTP_PORT" || die "port $HTTP_PORT is taken by another program; set MESHCART_TEMPORAL_HTTP_PORT to a free port."
  port_free "$METRICS_PORT" || die "port $METRICS_PORT is taken by another program; set MESHCART_TEMPORAL_METRICS_PORT to a free port."
  mkdir -p "$DIR"
  log "starting Temporal dev server on 127.0.0.1:$PORT (Web UI http://127.0.0.1:$UI_PORT)"
  local db=(--db-filename "$DIR/temporal.db")
  [ "${MESHCART_TEMPORAL_DB:-file}" = memory ] && db=()
  local sa_flags=() sa
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do sa_flags+=(--search-attribute "$sa"); done
  local ns_flags=()
  [ "$NAMESPACE" != default ] && ns_flags=(--namespace "$NAMESPACE")
  setsid nohup "$MESHCART_TOOLS/bin/temporal" server start-dev --ip 127.0.0.1 --port "$PORT" --ui-port "$UI_PORT" \
    --http-port "$HTTP_PORT" --metrics-port "$METRICS_PORT" \
    "${db[@]}" "${sa_flags[@]}" "${ns_flags[@]}" --log-level warn --log-format json \
    --dynamic-config-value system.enableActivityEagerExecution=true \
    --dynamic-config-value frontend.enableUpdateWorkflowExecution=true \
    --dynamic-config-value frontend.workerVersioningWorkflowAPIs=true \
    >"$DIR/temporal.log" 2>&1 3>&- &
  echo $! >"$PIDFILE"
  local i
  for ((i = 0; i < 300; i++)); do
    if ! port_free "$PORT"; then
      # the frontend answers before the default namespace is registered: ask for it
      if cli operator namespace describe -n "$NAMESPACE" >/dev/null 2>&1; then configure; return 0; fi
    fi
    pid_alive "$PIDFILE" || { tail -20 "$DIR/temporal.log" >&2; die "Temporal dev server exited (log: $DIR/temporal.log)"; }
    sleep 0.2
  done
  die "Temporal dev server did not become ready within 60s (log: $DIR/temporal.log)"
}

stop() {
  [ -n "${TEMPORAL_ADDRESS:-}" ] && return 0
  stop_pidfile "$PIDFILE" 20
}

status() { if [ -n "${TEMPORAL_ADDRESS:-}" ] || pid_alive "$PIDFILE"; then echo running; else echo stopped; return 1; fi; }

pidfile() { echo "$PIDFILE"; }

case "${1:-}" in
  ensure|start|configure|stop|status|pidfile) "$1" ;;
  *) echo "usage: $0 ensure|start|configure|stop|status|pidfile" >&2; exit 2 ;;
esac
