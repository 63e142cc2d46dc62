#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the PostgreSQL tests (CI, or a developer machine with the Debian
# postgresql packages). Usage:
#   eng/postgres.sh start [ENV_FILE] [CLEANUP_FILE]   starts it; prints (and appends to ENV_FILE) SCM_TEST_POSTGRES='...'
#                                                     (a shell line: eval "export $(eng/postgres.sh start)")
#   eng/postgres.sh stop DATA_DIR                     stops it and removes its data directory
# The data directory is new and temporary, authentication is 'trust' on loopback only, fsync is off: never for real data.
set -euo pipefail

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ] && command -v pg_ctl >/dev/null 2>&1; then dir=$(dirname "$(readlink -f "$(command -v pg_ctl)")"); fi
  printf '%s' "$dir"
}

as_owner() {
  # initdb and postgres refuse to run as root: run them as the 'postgres' account when we are root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    env_file=${2:-}; cleanup_file=${3:-}
    bin=$(find_bin)
    if [ -z "$bin" ]; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "PostgreSQL is not installed: installing Debian's postgresql package" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
        bin=$(find_bin)
      fi
      [ -n "$bin" ] || { echo "PostgreSQL binaries not found (install Debian's postgresql package)" >&2; exit 1; }
    fi
    data=$(mktemp -d /tmp/scm-pg.XXXXXX)
    if [ "$(id -u)" = 0 ]; then chown postgres: "$data"; fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    as_owner "$bin/initdb" -D "$data/db" -U postgres -A trust --no-sync -E UTF8 >"$data/initdb.log" 2>&1 \
      || { cat "$data/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >&2 \
      || { cat "$data/server.log" >&2; exit 1; }
    # Quoted: the connection string holds ';', which a shell would read as the end of the assignment.
    line="SCM_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true'"
    echo "$line"
    [ -n "$env_file" ] && echo "$line" >> "$env_file"
    [ -n "$cleanup_file" ] && echo "bash '$(readlink -f "$0")' stop '$data'" >> "$cleanup_file"
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data $data)" >&2
    ;;
  stop)
    data=${2:?data directory}
    bin=$(find_bin)
    as_owner "$bin/pg_ctl" -D "$data/db" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$data"
    ;;
  *)
    echo "usage: $0 start [ENV_FILE] [CLEANUP_FILE] | stop DATA_DIR" >&2; exit 2;;
esac
