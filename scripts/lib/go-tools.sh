# ensure_go_tool NAME MODULE@VERSION: go install into .tools/bin once per pinned version.
# A stamp file records the version, so a second run is instant; the Go build and module
# caches make a fresh clone on a used machine fast too.
ensure_go_tool() {
  local name=$1 module=$2 stamp="$MESHCART_TOOLS/bin/.$1.version"
  if [ -x "$MESHCART_TOOLS/bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$module" ]; then return 0; fi
  have go || die "Go is needed to install $name ($module) and is not on PATH. Install Go >= 1.22 and retry."
  log "installing $name ($module) from the Go module proxy"
  mkdir -p "$MESHCART_TOOLS/bin"
  if ! GOBIN="$MESHCART_TOOLS/bin" GOFLAGS=-mod=mod go install "$module" >"$MESHCART_TOOLS/$name.install.log" 2>&1; then
    tail -20 "$MESHCART_TOOLS/$name.install.log" >&2
    die "could not install $name ($module); full log: $MESHCART_TOOLS/$name.install.log"
  fi
  echo "$module" >"$stamp"
}
