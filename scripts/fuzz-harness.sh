#!/usr/bin/env bash
# One libFuzzer harness of the sanitized `hotline-fuzz` (`make fuzz` builds it) for SECONDS:
# its corpus grows in .build/fuzz-work/HARNESS, a crashing input lands in .build/fuzz-crashes,
# and the last line says how many executions ran. Exits 1 on a crash, with the log's tail.
#
#   scripts/fuzz-harness.sh SECONDS HARNESS
set -uo pipefail
seconds="$1" harness="$2"
log=".build/fuzz-$harness.log"
mkdir -p ".build/fuzz-work/$harness" ".build/fuzz-seeds/$harness" "Fuzz/corpus/$harness" .build/fuzz-crashes
if ! ASAN_OPTIONS=detect_leaks=0 FUZZ_HARNESS="$harness" .build/fuzz/debug/hotline-fuzz \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -detect_leaks=0 \
    -artifact_prefix=".build/fuzz-crashes/$harness-" \
    ".build/fuzz-work/$harness" "Fuzz/corpus/$harness" ".build/fuzz-seeds/$harness" > "$log" 2>&1; then
  tail -40 "$log"
  echo "fuzz $harness: crashed (input in .build/fuzz-crashes/$harness-*)"
  exit 1
fi
echo "fuzz $harness: $(grep -E '^Done' "$log")"
