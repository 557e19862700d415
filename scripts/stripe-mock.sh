#!/usr/bin/env bash
# stripe-mock, Stripe's official mock of its HTTP API (a Go program, built pinned from the Go module
# proxy into the shared tool cache like the other Go tools):
#   scripts/stripe-mock.sh ensure|path|fixtures|start|stop|status|pidfile|url
# It validates requests against Stripe's OpenAPI description and answers from fixtures; it is
# stateless (no declines, no idempotent replays, no webhooks): see services/payments/README.md for
# which behaviour is checked against it and which against the fault proxy in front of it.
# `start` runs it on 127.0.0.1:$MESHCART_STRIPE_MOCK_PORT (12111) for the local stack; tests start
# their own on a free port (services/payments/test/support/stripe-mock.ts).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go-tools.sh"

STRIPE_MOCK_MODULE="github.com/stripe/stripe-mock@v0.203.0"
PORT="${MESHCART_STRIPE_MOCK_PORT:-12111}"
DIR="$MESHCART_DATA/stripe-mock"
PIDFILE="$DIR/stripe-mock.pid"

ensure() { mkdir -p "$MESHCART_TOOLS"; ensure_go_tool stripe-mock "$STRIPE_MOCK_MODULE"; }

# fixtures -> path of the fixtures the local stack runs stripe-mock with: its bundled ones
# (embedded/openapi/fixtures3.json of the same module version) with one change, made once: a
# PaymentIntent is answered in the state our authorize creates, a confirmed manual-capture intent
# (requires_capture). The bundled fixture (requires_payment_method with a last_payment_error)
# would turn every local payment into a decline. The tests keep the bundled fixtures and drive
# states through their fault proxy instead.
fixtures() {
  local out="$MESHCART_TOOLS/stripe-mock/fixtures-${STRIPE_MOCK_MODULE##*@}.json"
  if [ ! -s "$out" ]; then
    local dir
    dir=$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "$STRIPE_MOCK_MODULE" |
      node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).Dir))') ||
      die "could not download $STRIPE_MOCK_MODULE to read its fixtures"
    mkdir -p "$(dirname "$out")"
    node -e '
      const fs = require("fs");
      const f = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      Object.assign(f.resources.payment_intent, {
        status: "requires_capture", capture_method: "manual", last_payment_error: null, next_action: null,
      });
      fs.writeFileSync(process.argv[2] + ".partial", JSON.stringify(f));
      fs.renameSync(process.argv[2] + ".partial", process.argv[2]);
    ' "$dir/embedded/openapi/fixtures3.json" "$out"
  fi
  echo "$out"
}

start() {
  ensure
  if pid_alive "$PIDFILE"; then return 0; fi
  port_free "$PORT" || die "port $PORT is taken by another program; set MESHCART_STRIPE_MOCK_PORT to a free port (or stop it)."
  mkdir -p "$DIR"
  log "starting stripe-mock on http://127.0.0.1:$PORT"
  # Its HTTPS listener always starts too (12112 unless told): on a system-chosen port, unused.
  local fx
  fx=$(fixtures)
  setsid nohup "$MESHCART_TOOLS/bin/stripe-mock" -http-addr "127.0.0.1:$PORT" -https-addr 127.0.0.1: -fixtures "$fx" \
    >"$DIR/stripe-mock.log" 2>&1 3>&- &
  echo $! >"$PIDFILE"
  local i
  for ((i = 0; i < 100; i++)); do
    port_free "$PORT" || return 0
    pid_alive "$PIDFILE" || { tail -20 "$DIR/stripe-mock.log" >&2; die "stripe-mock exited (log: $DIR/stripe-mock.log)"; }
    sleep 0.1
  done
  die "stripe-mock did not listen within 10s (log: $DIR/stripe-mock.log)"
}

case "${1:-}" in
  ensure) ensure ;;
  path) ensure && echo "$MESHCART_TOOLS/bin/stripe-mock" ;;
  fixtures) fixtures ;;
  start) start ;;
  stop) stop_pidfile "$PIDFILE" 5 ;;
  status) pid_alive "$PIDFILE" ;;
  pidfile) echo "$PIDFILE" ;;
  url) echo "http://127.0.0.1:$PORT" ;;
  *) die "usage: scripts/stripe-mock.sh ensure|path|fixtures|start|stop|status|pidfile|url" ;;
esac
