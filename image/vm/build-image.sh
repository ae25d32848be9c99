#!/usr/bin/env bash
# Builds the Debian 12 guest the hardware tests boot under qemu: DAHDI (dahdi-dkms, built for
# the guest's kernel inside the chroot), alsa-utils (snd-aloop is in Debian's kernel), gpiod;
# dbus and polkitd, which logind needs to let the daemon reboot the box (systemd/hotline.polkit.rules).
# The appliance binary and the tests are not in the image: the host shares them at boot (9p), so
# code changes never rebuild the image. Cached by the hash of this recipe.
#
#   image/vm/build-image.sh [CACHE_DIR]      prints the directory holding vmlinuz, initrd.img, rootfs.img
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:-${HOTLINE_VM_CACHE:-/var/cache/hotline-vm}}"
recipe_hash="$(cat "$here/build-image.sh" "$here"/guest/* 2>/dev/null | sha256sum | cut -c1-16)"
out="$cache/$recipe_hash"
if [ -f "$out/rootfs.img" ]; then echo "$out"; exit 0; fi

for tool in mmdebstrap mkfs.ext4 qemu-system-x86_64; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool missing (apt-get install mmdebstrap e2fsprogs qemu-system-x86)" >&2; exit 3; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/hotline-vm-XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
started=$(date +%s)

mmdebstrap --variant=minbase --quiet \
  --include=linux-image-amd64,linux-headers-amd64,dahdi-dkms,dahdi,dahdi-source,gpiod,alsa-utils,systemd-sysv,udev,kmod,dbus,polkitd,initramfs-tools,build-essential,linux-source-6.1,xz-utils,libspandsp2,libtiff6,libopusenc0,libgpiod2,libasound2,libsqlite3-0,unifont,espeak-ng,sqlite3,procps \
  --customize-hook='chroot "$1" sh -c "kver=\$(ls /lib/modules | head -1); dkms autoinstall -k \$kver"' \
  --customize-hook='mkdir -p "$1/opt"' \
  --customize-hook="copy-in $here/guest /opt" \
  --customize-hook='chroot "$1" sh /opt/guest/setup.sh' \
  bookworm "$root"

mkdir -p "$work/out"
cp "$root"/boot/vmlinuz-* "$work/out/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/out/initrd.img"
size_mb=$(( $(du -sm "$root" | cut -f1) + 600 ))
mkfs.ext4 -q -L hotline -d "$root" "$work/out/rootfs.img" "${size_mb}M" >&2
mkdir -p "$cache"
mv "$work/out" "$out"
echo "build-image: built in $(( $(date +%s) - started )) s" >&2
echo "$out"
