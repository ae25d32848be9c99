#!/usr/bin/env bash
# Starts the tests' own PostgreSQL server (if it is not running) and prints the URL the tests
# read as HOTLINE_POSTGRES_URL: role hotline (password hotline, allowed to create the databases
# each test makes and drops) owning hotline_test, on 127.0.0.1.
#
# The server is a private cluster made by initdb under /tmp, not the distribution's cluster:
# a fresh CI machine may have that cluster missing, unstartable by pg_ctlcluster (no systemd, a
# locale the image never generated) or on a port already taken. Nothing here depends on them.
# Installing the server is scripts/install-deps.sh's job; HOTLINE_POSTGRES_DIR moves the cluster.
set -euo pipefail
fail() { echo "postgres-scratch: $*" >&2; exit 1; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || fail "PostgreSQL is not installed (scripts/install-deps.sh installs it)"
root=${HOTLINE_POSTGRES_DIR:-/tmp/hotline-postgres-$(id -u)}
data="$root/data"

# PostgreSQL refuses to run as root: root runs it as the package's postgres user.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || fail "there is no postgres user to run the server as (is the postgresql package installed?)"
  as_server() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as_server() { "$@"; }
  owner=$(id -un)
fi

if [ ! -s "$data/PG_VERSION" ]; then
  rm -rf "$root"
  mkdir -p "$root"
  chown "$owner" "$root"
  chmod 700 "$root"
  printf 'hotline\n' > "$root/password"
  chown "$owner" "$root/password"
  if ! LC_ALL=C as_server "$bin/initdb" -D "$data" -U hotline --pwfile="$root/password" -E UTF8 --no-locale \
      --auth-local=trust --auth-host=scram-sha-256 > "$root/initdb.log" 2>&1; then
    cat "$root/initdb.log" >&2
    fail "initdb failed in $data"
  fi
fi

# True when something already answers on 127.0.0.1:$1.
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! as_server "$bin/pg_ctl" -D "$data" status > /dev/null 2>&1; then
  port=""
  for p in $(seq 55432 55531); do
    port_taken "$p" || { port=$p; break; }
  done
  [ -n "$port" ] || fail "no free port in 55432–55531 for the tests' server"
  if ! LC_ALL=C as_server "$bin/pg_ctl" -D "$data" -w -t 60 -l "$root/server.log" \
      -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c max_connections=200" start > /dev/null; then
    tail -n 40 "$root/server.log" >&2 || true
    fail "the server in $data did not start"
  fi
fi

# postmaster.pid's fourth line is the port the running server listens on.
port=$(sed -n 4p "$data/postmaster.pid")
[[ "$port" =~ ^[0-9]+$ ]] || fail "cannot read the server's port from $data/postmaster.pid"
export PGPASSWORD=hotline
psql() { command "$bin/psql" -h 127.0.0.1 -p "$port" -U hotline -d postgres -qAt -v ON_ERROR_STOP=1 "$@"; }
for _ in $(seq 1 30); do
  psql -c "SELECT 1" > /dev/null 2>&1 && break
  sleep 1
done
if [ -z "$(psql -c "SELECT 1 FROM pg_database WHERE datname = 'hotline_test'")" ]; then
  psql -c "CREATE DATABASE hotline_test OWNER hotline" > /dev/null || fail "cannot create hotline_test on port $port"
fi
echo "postgres://hotline:hotline@127.0.0.1:${port}/hotline_test"
