#!/usr/bin/env bash
# stripe-mock, Stripe's official mock of its HTTP API (a Go program, built pinned from the Go module
# proxy into the shared tool cache like the other Go tools):
#   scripts/stripe-mock.sh ensure|path|start|stop|status|pidfile|url
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

start() {
  ensure
  if pid_alive "$PIDFILE"; then return 0; fi
  port_free "$PORT" || die "port $PORT is taken by another program; set MESHCART_STRIPE_MOCK_PORT to a free port (or stop it)."
  mkdir -p "$DIR"
  log "starting stripe-mock on http://127.0.0.1:$PORT"
  # Its HTTPS listener always starts too (12112 unless told): on a system-chosen port, unused.
  setsid nohup "$MESHCART_TOOLS/bin/stripe-mock" -http-addr "127.0.0.1:$PORT" -https-addr 127.0.0.1: \
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
  start) start ;;
  stop) stop_pidfile "$PIDFILE" 5 ;;
  status) pid_alive "$PIDFILE" ;;
  pidfile) echo "$PIDFILE" ;;
  url) echo "http://127.0.0.1:$PORT" ;;
  *) die "usage: scripts/stripe-mock.sh ensure|path|start|stop|status|pidfile|url" ;;
esac
