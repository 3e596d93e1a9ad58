#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the store tests and print the line that points them at it:
#   export NEVINDEX_TEST_PG_URL=postgresql+psycopg://nevindex@127.0.0.1:PORT/nevindex_test
# Installs Debian's postgresql package when no server binaries are present. Everything except the
# export line goes to stderr, so `.ci/run` can `eval "$(bash .ci/postgres.sh)"`. Re-running reuses
# a server that is already up. Settings: NEVINDEX_PG_DIR (default /tmp/nevindex-pg), NEVINDEX_PG_PORT (55432).
set -euo pipefail
exec 3>&1 1>&2

DIR="${NEVINDEX_PG_DIR:-/tmp/nevindex-pg}"
PORT="${NEVINDEX_PG_PORT:-55432}"
DB=nevindex_test
ROLE=nevindex

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

BIN="$(find_bin)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "postgres.sh: installing postgresql from the system packages"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y -qq postgresql >/dev/null
  BIN="$(find_bin)"
fi
[ -x "$BIN/initdb" ] || { echo "postgres.sh: no initdb found after installing postgresql" ; exit 1; }

# PostgreSQL refuses to run as root: run it as the 'postgres' system user in that case.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

mkdir -p "$DIR"
[ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  as_pg "$BIN/initdb" -D "$DIR/data" -U "$ROLE" -A trust -E UTF8 --no-locale >/dev/null
fi
if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start 3>&- \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
fi
for _ in $(seq 1 60); do
  as_pg "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q && break
  sleep 0.5
done
if ! as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$ROLE" "$DB"
fi
echo "postgres.sh: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT, database $DB"
echo "export NEVINDEX_TEST_PG_URL=postgresql+psycopg://$ROLE@127.0.0.1:$PORT/$DB" >&3
