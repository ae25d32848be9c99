#!/usr/bin/env bash
# Measures what appliance.service's LimitNOFILE, MemoryHigh and MemoryMax are sized from: the
# box's peak RSS and descriptors with LINES simulated lines busy with demo callers (whole-call
# recording on) while the central office pulls everything over the uplink.
#   scripts/measure-unit-limits.sh [LINES] [SECONDS]      (release build first: make build)
set -euo pipefail
lines=${1:-8}; seconds=${2:-90}
A=.build/release/appliance; C=.build/release/hotline-central
[ -x "$A" ] && [ -x "$C" ] || { echo "build first: swift build -c release --product appliance --product hotline-central" >&2; exit 2; }
dir=$(mktemp -d); trap 'kill $box 2>/dev/null || true; rm -rf "$dir"' EXIT
port=$((20000 + RANDOM % 20000))
cat > "$dir/box.yaml" <<CONF
data_dir: data
lines: $lines
demo_traffic: true
whole_call_recording: true
flow: $PWD/flows/seed.yaml
prompts: $PWD/prompts/cmn.yaml
documents: $PWD/documents
uplink:
  listen: 127.0.0.1:$port
  plain_http: true
CONF
"$A" run --config "$dir/box.yaml" --seconds "$seconds" > "$dir/box.log" 2>&1 &
box=$!
peak_fd=0; pulls=0
end=$((SECONDS + seconds - 5))
while [ $SECONDS -lt $end ] && kill -0 $box 2>/dev/null; do
  "$C" pull --box "http://127.0.0.1:$port" --into "$dir/central" > /dev/null 2>&1 && pulls=$((pulls + 1)) || true
  fds=$(ls /proc/$box/fd 2>/dev/null | wc -l); [ "$fds" -gt "$peak_fd" ] && peak_fd=$fds
  sleep 2
done
steady=$(awk '/VmHWM/ {print $2}' /proc/$box/status)
# Then the largest push the box takes: a 64 MiB prompt pack that inflates to 64 MiB (refused in
# the end, after every byte was unpacked and checked).
python3 - "$dir/pack.zip" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    z.writestr("big.wav", os.urandom(63 << 20))
PY
push=$(curl -s -o /dev/null -w "%{http_code}" -X PUT --data-binary "@$dir/pack.zip" "http://127.0.0.1:$port/v1/content/prompts" || true)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$box/status); rss=$(awk '/VmRSS/ {print $2}' /proc/$box/status)
calls=$(grep -c "call ended\|calls ended\|case .* created" "$dir/box.log" || true)
echo "lines $lines, $seconds s, $pulls pulls, $calls call/case log lines"
echo "peak RSS with calls and pulls $((steady / 1024)) MiB; after a 64 MiB push (answered $push) $((hwm / 1024)) MiB (now $((rss / 1024)) MiB); peak descriptors $peak_fd"
