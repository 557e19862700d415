#!/usr/bin/env bash
# Installs the benchmark's load generators when missing (called by bench/run.ts):
#   ghz (gRPC) from the Go module proxy into .tools/bin, pinned, through the project's
#   ensure_go_tool (a stamp file makes a second run instant);
#   wrk (HTTP) from Debian (apt-get, needs root).
source "$(dirname "$0")/../scripts/lib/common.sh"
source "$(dirname "$0")/../scripts/lib/go-tools.sh"
# ghz is pinned here: bench/ is its only user.
GHZ_MODULE="github.com/bojand/ghz/cmd/ghz@v0.120.0"
ensure_go_tool ghz "$GHZ_MODULE"
if ! have wrk; then
  have apt-get && [ "$(id -u)" = 0 ] || die "wrk is missing: install the Debian package 'wrk' (apt-get install wrk)"
  log "installing wrk (Debian package)"
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
    || die "could not install wrk with apt-get"
fi
