# The pinned Node.js runtime (issue: runtime on a supported LTS). Source it via common.sh.
#
# .node-version at the repository root names the one version every meshcart process runs on:
# npm start, npm test, the bench, every script and every process they spawn. It is the official
# build that the npm registry serves as the package node-linux-<arch>; `ensure_node` unpacks it
# once per version into a cache outside the work tree that every clone reuses
# ($MESHCART_CACHE, default ~/.cache/meshcart), and common.sh puts its bin/ first on PATH, so a
# machine that has only an older Node (20, past end of life) still runs the pinned one.
MESHCART_NODE_VERSION="$(tr -d ' \n\r' <"$MESHCART_ROOT/.node-version")"
export MESHCART_CACHE="${MESHCART_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshcart}"
case "$(uname -m)" in
  x86_64 | amd64) MESHCART_NODE_ARCH=x64 ;;
  aarch64 | arm64) MESHCART_NODE_ARCH=arm64 ;;
  *) MESHCART_NODE_ARCH="$(uname -m)" ;;
esac
MESHCART_NODE_HOME="$MESHCART_CACHE/node/v$MESHCART_NODE_VERSION-linux-$MESHCART_NODE_ARCH"
export MESHCART_NODE_VERSION MESHCART_NODE_HOME
export PATH="$MESHCART_NODE_HOME/bin:$PATH"

# ensure_node: install the pinned runtime when it is missing (needs a working npm of any version
# to fetch the package; the machine's npm under its own Node is enough).
ensure_node() {
  if [ -x "$MESHCART_NODE_HOME/bin/node" ] &&
    [ "$("$MESHCART_NODE_HOME/bin/node" --version 2>/dev/null)" = "v$MESHCART_NODE_VERSION" ]; then
    return 0
  fi
  have npm || die "npm is needed once to fetch the pinned Node.js $MESHCART_NODE_VERSION (any npm works); none is on PATH."
  log "installing Node.js $MESHCART_NODE_VERSION (node-linux-$MESHCART_NODE_ARCH from the npm registry) into $MESHCART_NODE_HOME"
  local tmp
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/meshcart-node.XXXXXX")"
  (cd "$tmp" && npm pack --silent "node-linux-$MESHCART_NODE_ARCH@$MESHCART_NODE_VERSION" >/dev/null) ||
    { rm -rf "$tmp"; die "could not fetch node-linux-$MESHCART_NODE_ARCH@$MESHCART_NODE_VERSION from the npm registry"; }
  mkdir -p "$tmp/unpacked" "$(dirname "$MESHCART_NODE_HOME")"
  tar xzf "$tmp"/node-linux-*.tgz -C "$tmp/unpacked"
  "$tmp/unpacked/package/bin/node" --version >/dev/null ||
    { rm -rf "$tmp"; die "the downloaded Node.js $MESHCART_NODE_VERSION does not run on this machine"; }
  # Move into place atomically: two clones bootstrapping at once both end with a whole runtime.
  rm -rf "$MESHCART_NODE_HOME.partial.$$"
  mv "$tmp/unpacked/package" "$MESHCART_NODE_HOME.partial.$$"
  if ! mv -T "$MESHCART_NODE_HOME.partial.$$" "$MESHCART_NODE_HOME" 2>/dev/null; then
    rm -rf "$MESHCART_NODE_HOME.partial.$$" # another bootstrap won the race
  fi
  rm -rf "$tmp"
  hash -r
}
