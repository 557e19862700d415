#!/usr/bin/env bash
# Runs a command on the pinned toolchain: the pinned Node.js first on PATH (.node-version),
# then node_modules/.bin and .tools/bin. Every `npm run` entry goes through here, so `npm run x`
# runs on the pinned runtime even when npm itself was started by an older system Node.
source "$(dirname "$0")/lib/common.sh"
[ -x "$MESHCART_NODE_HOME/bin/node" ] || die "the pinned Node.js $MESHCART_NODE_VERSION is not installed yet: run npm start or npm test once (they bootstrap)"
exec "$@"
