#!/usr/bin/env bash
# Project-local MariaDB: scripts/mariadb.sh ensure|start|stop|status|url|pidfile|ca
#   ensure  install mariadb-server from Debian if missing (needs root), nothing else
#   start   initialise .data/mariadb on first use, start mariadbd on 127.0.0.1:$MESHCART_MYSQL_PORT
#   stop    stop the instance this project started
#   url     print the admin URL services and tests use to provision their databases
#   pidfile print the path of the server's pid file (the stack supervisor's reaper watches it)
#   ca      print the path of the CA (PEM) that signed the server's TLS certificate
# TLS: start generates (once, under .data/mariadb/tls, with openssl) a local CA and a server
# certificate for localhost and 127.0.0.1, and serves TLS with them; plain connections keep
# working. A client verifies with DATABASE_TLS_CA_FILE=$(scripts/mariadb.sh ca) (see packages/kit/src/db/tls.ts).
# With MYSQL_URL set (an admin URL of an existing server), nothing is installed or started.
source "$(dirname "$0")/lib/common.sh"

PORT="${MESHCART_MYSQL_PORT:-3307}"
DIR="$MESHCART_DATA/mariadb"
SOCK="$DIR/run/mysqld.sock"
PIDFILE="$DIR/run/mariadbd.pid"
TLS_DIR="$DIR/tls"
ADMIN_USER=meshcart_admin
ADMIN_PASSWORD="${MESHCART_MYSQL_ADMIN_PASSWORD:-meshcart-admin-dev}"

find_bin() { for b in "$@"; do have "$b" && { command -v "$b"; return 0; }; [ -x "/usr/sbin/$b" ] && { echo "/usr/sbin/$b"; return 0; }; done; return 1; }

ensure() {
  [ -n "${MYSQL_URL:-}" ] && return 0
  find_bin mariadbd mysqld >/dev/null && return 0
  if [ "$(id -u)" != 0 ]; then
    die "MariaDB is not installed and this user is not root, so it cannot be installed here.
  Either install it (sudo apt-get install -y mariadb-server) or set MYSQL_URL=mysql://admin:password@host:port/
  to an existing MySQL/MariaDB server whose user may create databases and users."
  fi
  have apt-get || die "MariaDB is missing and apt-get is not available; set MYSQL_URL to an existing server."
  log "installing mariadb-server from Debian (about a minute, once)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client; } \
    >"$MESHCART_TOOLS/mariadb.install.log" 2>&1 || { tail -20 "$MESHCART_TOOLS/mariadb.install.log" >&2; die "apt-get install mariadb-server failed (log: $MESHCART_TOOLS/mariadb.install.log)"; }
}

# tls_certs: a local CA and a server certificate it signed (localhost + 127.0.0.1), made once and
# again when the server certificate expires within a day. The CA's key stays next to it: this is a
# development CA that signs nothing else.
tls_certs() {
  local openssl; openssl=$(command -v openssl || echo /usr/bin/openssl)
  [ -x "$openssl" ] || die "openssl is needed to make MariaDB's TLS certificates (apt-get install openssl)"
  mkdir -p "$TLS_DIR"
  if [ -f "$TLS_DIR/server.pem" ] && [ -f "$TLS_DIR/ca.pem" ] \
    && "$openssl" x509 -checkend 86400 -noout -in "$TLS_DIR/server.pem" >/dev/null 2>&1; then return 0; fi
  log "making a local CA and MariaDB server certificate in $TLS_DIR"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  (
    umask 077
    cd "$TLS_DIR"
    "$openssl" req -x509 "${ec[@]}" -days 3650 -subj "/CN=meshcart local MariaDB CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout ca-key.pem -out ca.pem
    "$openssl" req "${ec[@]}" -subj "/CN=localhost" -keyout server-key.pem -out server.csr
    printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' 'basicConstraints=critical,CA:FALSE' \
      'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' >server.ext
    "$openssl" x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 825 \
      -extfile server.ext -out server.pem
    rm -f server.csr server.ext ca.srl
    chmod 644 ca.pem server.pem
  ) >"$DIR/tls.log" 2>&1 || { tail -20 "$DIR/tls.log" >&2; die "making TLS certificates failed (log: $DIR/tls.log)"; }
}

client() { "$(find_bin mariadb mysql)" --socket="$SOCK" -uroot "$@"; }

start() {
  [ -n "${MYSQL_URL:-}" ] && { log "using MYSQL_URL, not starting a local MariaDB"; return 0; }
  mkdir -p "$MESHCART_TOOLS"; ensure
  if pid_alive "$PIDFILE"; then return 0; fi
  port_free "$PORT" || die "port $PORT is taken by another program; set MESHCART_MYSQL_PORT to a free port (or stop it)."
  local daemon install_db
  daemon=$(find_bin mariadbd mysqld) || die "mariadbd not found"
  install_db=$(find_bin mariadb-install-db mysql_install_db) || die "mariadb-install-db not found"
  local user_opt=() ; [ "$(id -u)" = 0 ] && user_opt=(--user=root)
  mkdir -p "$DIR/run" "$DIR/tmp"
  if [ ! -d "$DIR/data/mysql" ]; then
    log "initialising MariaDB data directory in $DIR/data"
    "$install_db" --no-defaults "${user_opt[@]}" --datadir="$DIR/data" --auth-root-authentication-method=socket \
      --skip-test-db >"$DIR/install.log" 2>&1 || { tail -20 "$DIR/install.log" >&2; die "mariadb-install-db failed"; }
    touch "$DIR/.fresh"
  fi
  tls_certs
  log "starting MariaDB on 127.0.0.1:$PORT (TLS with the CA $TLS_DIR/ca.pem)"
  setsid nohup "$daemon" --no-defaults "${user_opt[@]}" --datadir="$DIR/data" --socket="$SOCK" --pid-file="$PIDFILE" \
    --port="$PORT" --bind-address=127.0.0.1 --tmpdir="$DIR/tmp" --log-error="$DIR/mariadbd.log" \
    --max-connections=500 --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --skip-name-resolve \
    --ssl-ca="$TLS_DIR/ca.pem" --ssl-cert="$TLS_DIR/server.pem" --ssl-key="$TLS_DIR/server-key.pem" \
    >/dev/null 2>&1 3>&- &
  # Recorded at once (mariadbd rewrites the same pid later): a supervisor interrupted during
  # start-up, or its reaper, can then always find and stop the server.
  echo $! >"$PIDFILE"
  local i
  for ((i = 0; i < 150; i++)); do
    [ -S "$SOCK" ] && client -e 'select 1' >/dev/null 2>&1 && break
    sleep 0.2
  done
  client -e 'select 1' >/dev/null 2>&1 || { tail -20 "$DIR/mariadbd.log" >&2; die "MariaDB did not start (log: $DIR/mariadbd.log)"; }
  if [ -f "$DIR/.fresh" ]; then
    client -e "CREATE USER IF NOT EXISTS '$ADMIN_USER'@'127.0.0.1' IDENTIFIED BY '$ADMIN_PASSWORD';
               GRANT ALL PRIVILEGES ON *.* TO '$ADMIN_USER'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;"
    rm -f "$DIR/.fresh"
  fi
}

stop() {
  [ -n "${MYSQL_URL:-}" ] && return 0
  stop_pidfile "$PIDFILE" 30
}

url() {
  if [ -n "${MYSQL_URL:-}" ]; then echo "$MYSQL_URL"; else echo "mysql://$ADMIN_USER:$ADMIN_PASSWORD@127.0.0.1:$PORT/"; fi
}

status() { if [ -n "${MYSQL_URL:-}" ] || pid_alive "$PIDFILE"; then echo running; else echo stopped; return 1; fi; }

pidfile() { echo "$PIDFILE"; }

ca() {
  [ -n "${MYSQL_URL:-}" ] && die "MYSQL_URL is set: the CA of that server is not ours to know"
  echo "$TLS_DIR/ca.pem"
}

case "${1:-}" in
  ensure|start|stop|url|status|pidfile|ca) "$1" ;;
  *) echo "usage: $0 ensure|start|stop|status|url|pidfile|ca" >&2; exit 2 ;;
esac
