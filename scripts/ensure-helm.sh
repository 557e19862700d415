#!/usr/bin/env bash
# Installs the pinned helm (HELM_MODULE in scripts/lib/common.sh) into .tools/bin once, from the
# Go module proxy, and prints its path. The helm tests call it, so a fresh clone needs only Go.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go-tools.sh"
ensure_go_tool helm "$HELM_MODULE"
echo "$MESHCART_TOOLS/bin/helm"
