#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the tests (installs nothing; see
# scripts/test-deps.sh): initdb into a temporary directory, a free loopback
# port, trust authentication. Source it, then call pg_start and pg_stop:
#
#   source scripts/postgres.sh
#   pg_start               # exports YUETAN_TEST_POSTGRES=postgres://…
#   pg_stop                # stops the server and removes its directory
#
# initdb and postgres refuse to run as root: as root they run as the
# `postgres` user (Debian's package creates it) and the directory is theirs.

pg_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$d" ] && command -v pg_ctl >/dev/null 2>&1; then
    d="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
  fi
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    echo "PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2
    return 1
  fi
  echo "$d"
}

pg_start() {
  local bin as=() port
  bin="$(pg_bindir)" || return 1
  YUETAN_PG_DIR="$(mktemp -d /tmp/yuetan-pg.XXXXXX)"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$YUETAN_PG_DIR"
    as=(runuser -u postgres --)
  fi
  # a free loopback port: nothing answers on it
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  "${as[@]}" "$bin/initdb" -D "$YUETAN_PG_DIR/data" -U postgres -A trust -E UTF8 --no-locale >"$YUETAN_PG_DIR/initdb.log" 2>&1 ||
    { cat "$YUETAN_PG_DIR/initdb.log" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$YUETAN_PG_DIR/data" -l "$YUETAN_PG_DIR/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $YUETAN_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null ||
    { cat "$YUETAN_PG_DIR/server.log" >&2; return 1; }
  export YUETAN_PG_DIR
  export YUETAN_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  echo "PostgreSQL for the tests: $YUETAN_TEST_POSTGRES"
}

pg_stop() {
  [ -n "${YUETAN_PG_DIR:-}" ] || return 0
  local bin as=()
  bin="$(pg_bindir)" || return 0
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$bin/pg_ctl" -D "$YUETAN_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$YUETAN_PG_DIR"
  unset YUETAN_PG_DIR YUETAN_TEST_POSTGRES
}
