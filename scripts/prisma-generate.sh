#!/usr/bin/env bash
# Generates the Prisma client of every service: services/*/prisma/schema.prisma -> the generator's
# `output` (by convention services/<domain>/src/store/generated/prisma, git-ignored).
#   scripts/prisma-generate.sh [--force] [service-dir ...]
# Offline: `generate` never needs the schema engine, but the CLI insists on resolving one it cannot
# download, so PRISMA_SCHEMA_ENGINE_BINARY=/bin/false. Quiet on success, prints Prisma's output on failure.
# Fast re-runs: a service is skipped while its stamp is newer than schema.prisma, prisma.config.ts
# and the installed prisma package (an upgrade regenerates everything).
source "$(dirname "$0")/lib/common.sh"

force=0
if [ "${1:-}" = "--force" ]; then force=1; shift; fi
shopt -s nullglob
schemas=()
# Service folders given as arguments are resolved from the caller's directory.
for d in "$@"; do
  [ -d "$d" ] || die "prisma-generate: $d is not a directory"
  schemas+=("$(cd "$d" && pwd)/prisma/schema.prisma")
done
cd "$MESHCART_ROOT"
if [ $# -eq 0 ]; then
  schemas=(services/*/prisma/schema.prisma)
fi
[ ${#schemas[@]} -gt 0 ] || { log "prisma-generate: no services/*/prisma/schema.prisma, nothing to do"; exit 0; }
[ -x node_modules/.bin/prisma ] || die "prisma CLI missing: run npm install at the repository root"

# fresh STAMP FILE... -> 0 when STAMP exists and is newer than every FILE that exists
fresh() {
  local stamp=$1 f; shift
  [ -f "$stamp" ] || return 1
  for f in "$@"; do [ ! -e "$f" ] || [ "$stamp" -nt "$f" ] || return 1; done
}

generated=() skipped=() failed=()
for schema in "${schemas[@]}"; do
  [ -f "$schema" ] || die "prisma-generate: $schema not found"
  svc=$(dirname "$(dirname "$schema")")
  # The generator's output path, relative to the schema folder (first `output = "..."` line).
  output=$(sed -n 's/^[[:space:]]*output[[:space:]]*=[[:space:]]*"\(.*\)".*/\1/p' "$schema" | head -1)
  out="$(dirname "$schema")/${output:-../src/store/generated/prisma}"
  stamp="$out/.meshcart-generated"
  if [ $force = 0 ] && fresh "$stamp" "$schema" "$svc/prisma.config.ts" node_modules/prisma/package.json; then
    skipped+=("$svc"); continue
  fi
  args=(generate --schema prisma/schema.prisma)
  [ -f "$svc/prisma.config.ts" ] && args+=(--config prisma.config.ts)
  # From the service folder, so relative paths in prisma.config.ts resolve as they do for the service.
  if out_log=$(cd "$svc" && PRISMA_SCHEMA_ENGINE_BINARY=/bin/false PRISMA_HIDE_UPDATE_MESSAGE=1 \
      "$MESHCART_ROOT/node_modules/.bin/prisma" "${args[@]}" 2>&1); then
    touch "$stamp"; generated+=("$svc")
  else
    printf '%s\n' "$out_log" >&2
    failed+=("$svc")
  fi
done

[ ${#failed[@]} -eq 0 ] || die "prisma generate failed for: ${failed[*]} (Prisma's output above)"
log "prisma-generate: ${#generated[@]} generated, ${#skipped[@]} up to date"
