# ensure_go_tool NAME MODULE@VERSION: build a Go tool once per pinned version into a cache outside
# the work tree ($MESHCART_CACHE/go-tools/<module>@<version>/), shared by every clone on the
# machine, and link it into .tools/bin. A stamp records the version, so a second run is instant.
ensure_go_tool() {
  local name=$1 module=$2 stamp="$MESHCART_TOOLS/bin/.$1.version"
  if [ -x "$MESHCART_TOOLS/bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$module" ]; then return 0; fi
  local cached="$MESHCART_CACHE/go-tools/${module//\//_}"
  mkdir -p "$MESHCART_TOOLS/bin"
  if [ ! -x "$cached/$name" ]; then
    have go || die "Go is needed to install $name ($module) and is not on PATH. Install Go >= 1.22 and retry."
    log "installing $name ($module) from the Go module proxy"
    mkdir -p "$cached.partial.$$"
    if ! GOBIN="$cached.partial.$$" GOFLAGS=-mod=mod go install "$module" >"$MESHCART_TOOLS/$name.install.log" 2>&1; then
      tail -20 "$MESHCART_TOOLS/$name.install.log" >&2
      rm -rf "$cached.partial.$$"
      die "could not install $name ($module); full log: $MESHCART_TOOLS/$name.install.log"
    fi
    mv -T "$cached.partial.$$" "$cached" 2>/dev/null || rm -rf "$cached.partial.$$"
  fi
  ln -sfn "$cached/$name" "$MESHCART_TOOLS/bin/$name"
  echo "$module" >"$stamp"
}
