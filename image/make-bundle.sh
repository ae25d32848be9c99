#!/usr/bin/env bash
# A RAUC bundle (verity format: checked block by block as it installs) holding one root slot.
#
#   image/make-bundle.sh ROOTFS.ext4 VERSION CERT KEY OUT.raucb
set -euo pipefail
rootfs="$1" version="$2" cert="$3" key="$4" out="$5"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cp --sparse=always "$rootfs" "$dir/rootfs.ext4"
cat > "$dir/manifest.raucm" <<MANIFEST
[update]
compatible=hotline-district-node-amd64
version=$version
description=12345 hotline district node $version

[bundle]
format=verity

[image.rootfs]
filename=rootfs.ext4
MANIFEST
rm -f "$out"
# xz: the smallest bundle for a 64 kbit/s line (docs/BENCHMARKS.md); CI's test bundles take a
# fast setting (HOTLINE_BUNDLE_COMPRESSION="zstd -Xcompression-level 1").
rauc bundle --cert="$cert" --key="$key" --mksquashfs-args="-comp ${HOTLINE_BUNDLE_COMPRESSION:-xz -Xbcj x86}" "$dir" "$out" >&2
