#!/usr/bin/env bash
# The box's base root file system, as a tarball: Debian 12 (amd64) with the kernel, the DAHDI
# modules built by dahdi-dkms for that kernel (the compilers, headers and dkms are then removed:
# only the modules stay), RAUC, grub's tools, node-exporter, timesyncd, and the libraries the
# hotline-appliance package depends on. Our own files (image/rootfs) and the package are
# added by image/build-image.sh, so a code change never rebuilds this. Cached by the hash of
# this recipe.
#
#   image/build-rootfs.sh [CACHE_DIR]      prints the path of rootfs.tar
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:-${HOTLINE_IMAGE_CACHE:-/var/cache/hotline-image}}"
recipe_hash="$(sha256sum "$here/build-rootfs.sh" | cut -c1-16)"
out="$cache/rootfs-$recipe_hash.tar"
if [ -f "$out" ]; then echo "$out"; exit 0; fi
command -v mmdebstrap >/dev/null || { echo "build-rootfs: mmdebstrap missing (apt-get install mmdebstrap)" >&2; exit 3; }
mkdir -p "$cache"
started=$(date +%s)
runtime=systemd-sysv,udev,kmod,dbus,polkitd,initramfs-tools,linux-image-amd64,e2fsprogs,dosfstools,systemd-timesyncd,rauc,rauc-service,grub-common,prometheus-node-exporter,dahdi,libspandsp2,libtiff6,libopusenc0,libgpiod2,libasound2,libsqlite3-0,espeak-ng,unifont,libtiff-tools,ca-certificates,procps,iproute2,alsa-utils,gpiod
# Modules only: dkms builds dahdi for the image's kernel, the .ko files are kept aside while the
# build tools are purged (purging dahdi-dkms would delete them), then put back and indexed.
build_modules='kver=$(ls "$1/lib/modules" | head -1)
chroot "$1" dkms autoinstall -k "$kver"
mkdir -p "$1/tmp/dahdi-ko" && cp -a "$1/lib/modules/$kver/updates" "$1/tmp/dahdi-ko/"
chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq --auto-remove dahdi-dkms dkms linux-headers-amd64 "linux-headers-*" build-essential gcc g++ make dpkg-dev >/dev/null
cp -a "$1/tmp/dahdi-ko/updates" "$1/lib/modules/$kver/" && rm -rf "$1/tmp/dahdi-ko"
chroot "$1" depmod "$kver"'
# Kernel modules a telephony box never loads: graphics, wireless, media, InfiniBand, staging,
# and the sound drivers for hardware it does not have (ALSA USB and HDA codecs stay).
trim='kver=$(ls "$1/lib/modules" | head -1); k="$1/lib/modules/$kver/kernel"
rm -rf "$k/drivers/gpu" "$k/drivers/net/wireless" "$k/drivers/media" "$k/drivers/infiniband" "$k/drivers/staging" \
  "$k/drivers/net/ethernet/mellanox" "$k/drivers/net/ethernet/qlogic" "$k/drivers/net/ethernet/chelsio" "$k/drivers/scsi/lpfc" \
  "$k/drivers/scsi/qla2xxx" "$k/drivers/bluetooth" "$k/net/bluetooth" "$k/net/mac80211" "$k/net/wireless" "$k/fs/btrfs" "$k/fs/xfs" \
  "$k/fs/ocfs2" "$k/fs/gfs2" "$k/fs/nfs" "$k/fs/nfsd" "$k/fs/ceph" "$k/fs/smb" "$k/sound/soc" "$k/sound/firewire" "$k/sound/pci/ctxfi" \
  "$k/drivers/isdn" "$k/drivers/iio" "$k/drivers/hid/intel-ish-hid"
chroot "$1" depmod "$kver"
rm -rf "$1/usr/share/doc"/* "$1/usr/share/man"/* "$1/usr/share/locale"/* "$1/var/cache/apt"/*.bin "$1/var/lib/apt/lists"/*_Packages'
mmdebstrap --variant=minbase --format=tar --quiet --include="$runtime,dahdi-dkms,linux-headers-amd64" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --customize-hook="$build_modules" --customize-hook="$trim" \
  bookworm "$out.part"
mv "$out.part" "$out"
echo "build-rootfs: built in $(( $(date +%s) - started )) s" >&2
echo "$out"
