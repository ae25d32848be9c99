#!/usr/bin/env bash
# The boot test's bundles, from the image's own root: the next version (the same root, a new
# version), a broken one (its appliance exits at once, so the box never gets healthy), and one
# signed by a key the box was not given (its image is 1 MiB of noise: RAUC refuses the bundle on
# its signature, before it looks inside).
#
#   image/make-test-bundles.sh IMAGE_DIR VERSION GOOD BROKEN STRANGER
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
image="$1" version="$2" good="$3" broken="$4" stranger="$5"
cert="$image/signer.cert.pem" key="$image/signer.key.pem"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bash "$here/make-bundle.sh" "$image/rootfs.ext4" "$version+next1" "$cert" "$key" "$good"
cp --sparse=always "$image/rootfs.ext4" "$work/broken.ext4"
printf '#!/bin/sh\necho "this firmware is broken on purpose (the boot test)" >&2\nexit 1\n' > "$work/appliance"
debugfs -w -R "rm /usr/bin/appliance" "$work/broken.ext4" > /dev/null 2>&1
debugfs -w -R "write $work/appliance /usr/bin/appliance" "$work/broken.ext4" > /dev/null 2>&1
debugfs -w -R "sif /usr/bin/appliance mode 0100755" "$work/broken.ext4" > /dev/null 2>&1
bash "$here/make-bundle.sh" "$work/broken.ext4" "$version+broken1" "$cert" "$key" "$broken"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/O=someone else/CN=not the box's signer" \
  -keyout "$work/stranger.key" -out "$work/stranger.crt" 2>/dev/null
head -c 1M /dev/urandom > "$work/stranger.ext4"
bash "$here/make-bundle.sh" "$work/stranger.ext4" "$version+stranger1" "$work/stranger.crt" "$work/stranger.key" "$stranger"
