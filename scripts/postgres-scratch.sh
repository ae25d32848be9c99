#!/usr/bin/env bash
# Starts Debian's PostgreSQL on loopback (if it is not running) and makes the tests' scratch
# database: role hotline (password hotline, allowed to create the databases each test makes
# and drops) owning hotline_test. Prints the URL the tests read as HOTLINE_POSTGRES_URL.
# Installing the server is scripts/install-deps.sh's job.
set -euo pipefail
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres "$@"; fi
}
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
[ -n "$version" ] || { echo "PostgreSQL is not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
  as_postgres psql -qAtc "SELECT 1" >/dev/null 2>&1 && break
  sleep 1
done
as_postgres psql -qAt -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT 'CREATE ROLE hotline LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hotline')\gexec
ALTER ROLE hotline LOGIN CREATEDB PASSWORD 'hotline';
SELECT 'CREATE DATABASE hotline_test OWNER hotline' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'hotline_test')\gexec
SQL
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
echo "postgres://hotline:hotline@127.0.0.1:${port}/hotline_test"
