#!/usr/bin/env bash
# The boot test stage: the flashable image made from the given package (image/build-image.sh;
# its base root is cached by recipe), booted under qemu and driven over its serial console by
# image/boot-test.py. Results: .build/boot-test/.
#
#   image/run-boot-test.sh DEB
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
deb="$(realpath "$1")"
out="$repo/.build/boot-test"
rm -rf "$out"
mkdir -p "$out"
started=$(date +%s)
export HOTLINE_BUNDLE_COMPRESSION="${HOTLINE_BUNDLE_COMPRESSION:-zstd -Xcompression-level 1}"
bash "$repo/image/build-image.sh" "$deb" "$out/image" > "$out/image.out" 2> "$out/image.log" \
  || { tail -30 "$out/image.log"; echo "BOOT TEST FAILED: the image could not be built" >&2; exit 1; }
image_s=$(( $(date +%s) - started ))
rc=0
timeout "${HOTLINE_BOOT_TEST_TIMEOUT:-2400}" python3 "$repo/image/boot-test.py" "$out/image" "$out/run" > "$out/results.txt" 2>&1 || rc=$?
echo "boot test: image built in ${image_s} s ($(du -mL --apparent-size "$out/image/disk.img" | cut -f1) MiB raw, bundle $(du -m "$out"/image/*.raucb | cut -f1) MiB), run $(( $(date +%s) - started - image_s )) s"
cat "$out/results.txt"
if [ "$rc" -ne 0 ]; then
  for log in "$out"/run/*.console.log; do echo "--- $(basename "$log") (last lines)"; tail -c 1500 "$log" | tr -d '\033' | tail -15; done
fi
rm -f "$out/run/disk.img" "$out/run/stick.img" "$out"/run/*.raucb
exit "$rc"
