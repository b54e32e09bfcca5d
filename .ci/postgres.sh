#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests.
#
#   eval "$(.ci/postgres.sh)"     creates a cluster in a new temporary folder, starts it on a free port of
#                                 127.0.0.1 and prints, on stdout and nothing else:
#                                   export ALLIANCE_TEST_DATABASE_URL=postgres://alliance:PASSWORD@127.0.0.1:PORT/postgres
#                                   export ALLIANCE_TEST_POSTGRES_DIR=FOLDER
#   .ci/postgres.sh stop FOLDER   stops that cluster and removes its folder.
#
# Run as root, the server runs as the `postgres` user (PostgreSQL refuses to run as root); otherwise as the caller.
# PG_BIN overrides where the server's programs are (default: PostgreSQL 15 on Debian).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
MARKER=.alliance-throwaway-postgres

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Runs a command as the cluster's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  local dir=${1:?usage: postgres.sh stop FOLDER}
  [[ -f "$dir/$MARKER" ]] || die "$dir is not a cluster made by this script; not touching it"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 || log "pg_ctl stop failed; removing anyway"
  fi
  rm -rf -- "$dir"
  log "stopped and removed $dir"
}

# True if something already listens on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || die "no PostgreSQL programs in $PG_BIN (set PG_BIN)"
  local dir password
  dir=$(mktemp -d "${TMPDIR:-/tmp}/alliance-postgres.XXXXXX")
  touch "$dir/$MARKER"
  # From here on, a failure removes the half-made cluster.
  trap 'log "failed; cleaning up"; stop "$dir" >/dev/null 2>&1 || true' ERR
  if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres:postgres "$dir"
    runuser -u postgres -- test -w "$dir" || die "the postgres user cannot write to $dir (TMPDIR=${TMPDIR:-})"
  fi
  chmod 700 "$dir"

  # Password authentication even on this private cluster: other local users cannot use it.
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" >"$dir/password"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir/password"; fi
  as_owner "$PG_BIN/initdb" -D "$dir/data" -U alliance --pwfile="$dir/password" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; false; }
  rm -f "$dir/password"
  cat >>"$dir/data/postgresql.conf" <<EOF

# Alliance tests: local TCP only, durable commits as in production, room for parallel tests.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 200
EOF

  local port attempt started=false
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port=$(( 20000 + RANDOM % 40000 ))
    port_in_use "$port" && continue
    if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >&2; then
      started=true
      break
    fi
    log "could not start on port $port (attempt $attempt); trying another"
  done
  [[ $started == true ]] || { cat "$dir/server.log" >&2; die "the server did not start"; }
  for _ in $(seq 1 60); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" || die "the server does not accept connections"
  trap - ERR
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
  printf 'export ALLIANCE_TEST_DATABASE_URL=%q\n' "postgres://alliance:$password@127.0.0.1:$port/postgres"
  printf 'export ALLIANCE_TEST_POSTGRES_DIR=%q\n' "$dir"
}

case "${1:-start}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) die "usage: postgres.sh [start] | postgres.sh stop FOLDER" ;;
esac
