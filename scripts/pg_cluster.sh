#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for the tests and benchmarks; nothing outside DIR is kept.
#   bash scripts/pg_cluster.sh start DIR   -> prints a database URL (postgresql://...) on stdout
#   bash scripts/pg_cluster.sh stop DIR    -> stops the cluster and removes DIR
# Installs Debian's postgresql and postgis with apt-get when they are missing (needs root).
# As root the server runs as the 'postgres' system user (initdb refuses root); it listens only
# on a Unix socket inside DIR (no TCP port is opened) and trusts local connections.
set -euo pipefail

log() { printf '[pg] %s\n' "$*" >&2; }
die() { printf '[pg] error: %s\n' "$*" >&2; exit 1; }

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: pg_cluster.sh start|stop DIR"

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

have_postgis() {
  local bin=$1 share
  share=$("$bin/pg_config" --sharedir 2>/dev/null || true)
  [ -n "$share" ] && ls "$share"/extension/postgis.control >/dev/null 2>&1
}

install_packages() {
  [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 \
    || die "PostgreSQL/PostGIS missing; install them (sudo apt-get install postgresql postgis) and rerun"
  export DEBIAN_FRONTEND=noninteractive
  log "installing PostgreSQL and PostGIS with apt-get"
  if ! apt-get install -y -qq postgresql postgresql-postgis >/dev/null 2>&1 \
     && ! apt-get install -y -qq postgresql "postgresql-$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)-postgis-3" >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
    apt-get install -y -qq "postgresql-$ver-postgis-3" >/dev/null
  fi
}

as_owner() {  # run a command as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  bin=$(pg_bin || true)
  if [ -z "$bin" ] || ! have_postgis "$bin"; then install_packages; bin=$(pg_bin) || die "no initdb after installing"; fi
  have_postgis "$bin" || die "PostGIS is not installed for $("$bin/pg_config" --version)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=200 -c fsync=off -c full_page_writes=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; die "the server did not start"; }
  "$bin/psql" -h "$dir" -U postgres -d postgres -qAt -c "CREATE DATABASE zkq" >/dev/null
  "$bin/psql" -h "$dir" -U postgres -d zkq -qAt -c "CREATE EXTENSION postgis" >/dev/null \
    || die "CREATE EXTENSION postgis failed"
  log "PostgreSQL $("$bin/pg_config" --version | cut -d' ' -f2) with PostGIS on socket $dir"
  printf 'postgresql://postgres@/zkq?host=%s\n' "$dir"
  ;;
stop)
  bin=$(pg_bin || true)
  if [ -n "$bin" ] && [ -d "$dir/data" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*) die "usage: pg_cluster.sh start|stop DIR" ;;
esac
