#!/usr/bin/env bash
# Go checks, run by `npm test` (and CI) from any directory:
#   gateway/: gofmt, go vet ./..., go test -count=1 ./...
#   gen/go/:  go build ./... (the generated code compiles)
# Modules come from the Go module proxy on the first run and from the module cache
# afterwards, so later runs work offline. GO_TEST_FLAGS adds flags (e.g. -race -v).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MESHCART_ROOT"

have go || die "Go is not on PATH. Install Go >= 1.26 (gateway/go.mod) and retry."

step=""
trap 'rc=$?; if [ $rc -ne 0 ]; then printf "\033[31m[meshcart] Go checks FAILED at: %s (exit %s)\033[0m\n" "$step" "$rc" >&2; fi' EXIT

run() { # run DIR DESCRIPTION CMD...
  local dir=$1 what=$2
  shift 2
  step="$what ($dir)"
  log "$step"
  (cd "$dir" && "$@")
}

# Fetch modules first so a network problem says so instead of looking like a build error.
for mod in gen/go gateway; do
  step="go mod download ($mod)"
  if ! (cd "$mod" && go mod download 2>&1); then
    die "could not get the Go modules of $mod: the first run needs the Go module proxy ($(go env GOPROXY)); later runs use the module cache ($(go env GOMODCACHE))"
  fi
done

run gen/go "go build ./..." go build ./...

step="gofmt (gateway)"
log "$step"
unformatted="$(cd gateway && gofmt -l .)"
if [ -n "$unformatted" ]; then
  printf '%s\n' "$unformatted" >&2
  die "these files need gofmt: (cd gateway && gofmt -w .)"
fi

run gateway "go vet ./..." go vet ./...
# shellcheck disable=SC2086 # GO_TEST_FLAGS is a list of flags
run gateway "go test -count=1 ./..." go test -count=1 ${GO_TEST_FLAGS:-} ./...

step=""
log "Go checks passed"
