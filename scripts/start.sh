#!/usr/bin/env bash
# `npm start`: the whole platform locally. Installs what is missing, starts the project-local
# MariaDB and Temporal dev server, then hands over to scripts/local-stack/start.ts.
# Ctrl-C stops the services, the worker and the edge, then Temporal and MariaDB.
source "$(dirname "$0")/lib/common.sh"
cd "$MESHCART_ROOT"
bash scripts/bootstrap.sh
bash scripts/mariadb.sh status >/dev/null 2>&1 || started_mariadb=1
bash scripts/temporal.sh status >/dev/null 2>&1 || started_temporal=1
cleanup() {
  [ "${started_temporal:-0}" = 1 ] && bash scripts/temporal.sh stop || true
  [ "${started_mariadb:-0}" = 1 ] && bash scripts/mariadb.sh stop || true
}
trap cleanup EXIT
bash scripts/mariadb.sh start
bash scripts/temporal.sh start
node --require tsx/cjs scripts/local-stack/start.ts || exit $?
