#!/usr/bin/env bash
# `npm start`: the whole platform locally. Installs what is missing (on the pinned runtime), then
# hands over to scripts/local-stack/start.ts, which starts MariaDB, Temporal, the services, the
# worker and the edge, and stops all of it on Ctrl-C / SIGTERM at any moment (see lifecycle.ts).
# `exec`: the supervisor replaces this shell, so signals reach it directly and nothing sits in
# between. A Ctrl-C during the bootstrap itself ends the installers like any foreground command.
source "$(dirname "$0")/lib/common.sh"
cd "$MESHCART_ROOT"
bash scripts/bootstrap.sh
exec node --require tsx/cjs scripts/local-stack/start.ts
