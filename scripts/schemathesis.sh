#!/usr/bin/env bash
# schemathesis (PyPI) against a real box over mutual TLS: the box's data made by simulated calls
# (complaints with recordings, mailbox messages, faxes, surveys, queries), its uplink on
# loopback with the central office's certificate enrolled, and every phase of schemathesis
# (examples, coverage, fuzzing, stateful) with every check. Exits non-zero on any failure.
#
#   scripts/schemathesis.sh [MAX_EXAMPLES [SCHEMATHESIS OPTIONS…]]   (uses .build/debug; `swift build` first)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
examples="${1:-40}"
shift $(( $# > 0 ? 1 : 0 ))
version=4.32.5
python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$version')" 2>/dev/null \
  || pip install -q "schemathesis==$version" 2>&1 | grep -v "Running pip as the 'root' user" || true

bin=.build/debug
work="$(mktemp -d /tmp/hotline-schemathesis-XXXXXX)"
box=""
trap '[ -n "$box" ] && kill "$box" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

# Real data: the repository's scenarios through the real line stack, into one store.
for s in complaint mailbox fax-callers survey query; do
  "$bin/hotline-lab" simulate "scenarios/$s.json" --data "$work/box" --prompt-cache "$work/prompts" > /dev/null
done
"$bin/appliance" cert create --name box --out "$work/box/tls" --host 127.0.0.1 > /dev/null
"$bin/hotline-central" cert create --name central --out "$work/central" > /dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/box.yaml" <<CONF
data_dir: $work/box
prompt_cache: $work/prompts
flow: $repo/flows/seed.yaml
prompts: $repo/prompts/cmn.yaml
documents: $repo/documents
lines: 2
demo_traffic: false
control_socket: $work/control.sock
uplink:
  listen: 127.0.0.1:$port
  certificate: $work/box/tls/box.crt
  key: $work/box/tls/box.key
  trust: $work/box/tls/central
CONF
"$bin/appliance" cert enrol "$work/central/central.crt" --config "$work/box.yaml" > /dev/null
"$bin/appliance" run --virtual --config "$work/box.yaml" > "$work/box.log" 2>&1 &
box=$!
for _ in $(seq 1 120); do grep -q "uplink serving" "$work/box.log" && break; sleep 0.5; done
grep -q "uplink serving" "$work/box.log" || { cat "$work/box.log"; echo "schemathesis: the box did not start its uplink" >&2; exit 1; }

export HOTLINE_CASE
HOTLINE_CASE=$(python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT number FROM cases ORDER BY id LIMIT 1').fetchone()[0])" "$work/box/cases.sqlite")
mkdir -p .build/schemathesis
# The box's certificate is pinned, not issued by a CA a TLS library would chain to: the client
# presents the enrolled certificate (mutual TLS) and does not check the server's (the
# puller's pinning is tested in UplinkIdentityTests). use_after_free is left out: DELETE
# /v1/callbacks/ID cancels a call-back and keeps its record, which the central office reads
# afterwards for the outcome (cancelled, or how it ended first), as the feed carries it.
set +e
schemathesis --config-file scripts/schemathesis.toml run docs/uplink-openapi.yaml --url "https://127.0.0.1:$port" \
  --phases examples,coverage,fuzzing,stateful --checks all --exclude-checks use_after_free --max-examples "$examples" --seed 12345 \
  --request-cert "$work/central/central.crt" --request-cert-key "$work/central/central.key" --tls-verify false \
  --report junit --report-junit-path .build/schemathesis/junit.xml --no-color "$@" 2>&1 | tee .build/schemathesis/run.txt
status=${PIPESTATUS[0]}
set -e
kill -0 "$box" 2>/dev/null || { echo "schemathesis: the box died during the run" >&2; exit 1; }
exit "$status"
