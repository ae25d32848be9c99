#!/usr/bin/env bash
# The flashable image of a district box: a raw GPT disk to `dd` onto its SSD or eMMC.
#   1 esp        32 MiB  FAT: grub (EFI, image/esp/grub.cfg) and RAUC's grubenv
#   2 rootfs-a   slot A  ext4, read-only: Debian 12, the kernel, DAHDI's modules, hotline-appliance
#   3 data       48 MiB  ext4: the case store, recordings, config, certificates, journal
#                        (image/rootfs/etc/fstab); grown into the disk at the first boot
#   4 rootfs-b   slot B  made at the first boot (systemd-repart), A's size, empty until the
#                        first update: the image carries no empty slot
#
# Also the update bundle of the same root (RAUC, signed), and the root image itself (the boot
# test makes its other bundles from it). The base root comes from image/build-rootfs.sh (cached);
# this adds our files and the package, so it takes a minute.
#
#   image/build-image.sh DEB OUT_DIR     (HOTLINE_SIGNING_CERT/KEY: the bundle's signer; default a
#                                         development key made once in the image cache)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
deb="$(realpath "$1")"
out="$2"
cache="${HOTLINE_IMAGE_CACHE:-/var/cache/hotline-image}"
for tool in mkfs.ext4 mkfs.vfat mcopy sfdisk grub-mkimage grub-editenv rauc openssl; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool missing (scripts/install-deps.sh installs it)" >&2; exit 3; }
done
started=$(date +%s)
rootfs_tar="$(bash "$here/build-rootfs.sh" "$cache")"
version="$(dpkg-deb -f "$deb" Version)"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/hotline-image-XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir "$root"
tar -xpf "$rootfs_tar" -C "$root" --numeric-owner

# The signer: a development key unless the release's is given. The box trusts exactly it.
cert="${HOTLINE_SIGNING_CERT:-$cache/keys/development.cert.pem}"
key="${HOTLINE_SIGNING_KEY:-$cache/keys/development.key.pem}"
if [ ! -f "$cert" ]; then
  mkdir -p "$(dirname "$cert")"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj "/O=12345 hotline/CN=development firmware signer" \
    -keyout "$key" -out "$cert" 2>/dev/null
fi

# Our files, the package (its dependencies are in the base), the units the image runs.
cp -a "$here/rootfs/." "$root/"
install -D -m 644 "$cert" "$root/etc/rauc/keyring.pem"
cp "$deb" "$root/tmp/"
chroot "$root" dpkg -i "/tmp/$(basename "$deb")" > "$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; exit 1; }
rm "$root/tmp/$(basename "$deb")"
systemctl --root="$root" enable appliance-console@ttyS0.service hotline-mark-good.service hotline-first-boot.service hotline-machine-id.service \
  systemd-timesyncd.service systemd-networkd.service prometheus-node-exporter.service > /dev/null 2>&1
# ttyS0 is the technician's: no getty on it or on ttyS1, where the kernel writes.
systemctl --root="$root" mask serial-getty@ttyS0.service serial-getty@ttyS1.service > /dev/null 2>&1
echo "hotline-node" > "$root/etc/hostname"
# Empty: each box keeps its own from its first boot (hotline-machine-id.service).
: > "$root/etc/machine-id"
echo "$version" > "$root/etc/hotline-firmware"
# Settings a technician changes live on the data partition: the network and the time server.
# (Debian ships the directory: `ln -sfn` would put the link inside it, and networkd would find no
# .network file; the boot test's uplink found that.)
rm -rf "$root/etc/systemd/network"
ln -s /etc/hotline/network "$root/etc/systemd/network"
mkdir -p "$root/etc/systemd/timesyncd.conf.d"
ln -sfn /etc/hotline/timesyncd.conf "$root/etc/systemd/timesyncd.conf.d/hotline.conf"
mkdir -p "$root/data" "$root/boot/efi" "$root/var/lib/hotline" "$root/var/lib/hotline-console" "$root/var/lib/prometheus"
# grub boots the slot's /vmlinuz and /initrd.img (the kernel package's links).
[ -e "$root/vmlinuz" ] && [ -e "$root/initrd.img" ] || { echo "build-image: the root has no /vmlinuz or /initrd.img" >&2; exit 1; }

# The data partition's first contents: the package's config with the image's additions, the
# prompt pack and the demo callers' speech spoken now (the box starts on them at once).
data="$work/data"
mkdir -p "$data/hotline" "$data/hotline-console" "$data/etc-hotline/network" "$data/log/journal" "$data/systemd"
cp "$root/etc/hotline/box.yaml" "$data/etc-hotline/box.yaml"
cat >> "$data/etc-hotline/box.yaml" <<CONF

# The image's node-exporter reads the box's figures here (/etc/default/prometheus-node-exporter).
metrics_file: /run/hotline/hotline.prom
CONF
cat > "$data/etc-hotline/timesyncd.conf" <<CONF
# The time server: the central office's, on the leased line (INSTALL.md).
[Time]
NTP=10.8.0.1
FallbackNTP=
CONF
cat > "$data/etc-hotline/network/20-leased-line.network" <<CONF
# The leased line to the central office (INSTALL.md): DHCP until a fixed address is set here.
[Match]
Name=en* eth*
[Network]
DHCP=yes
CONF
speak="$work/speak.yaml"
sed "s|^data_dir:.*|data_dir: $data/hotline|; s|^control_socket:.*|control_socket: $work/control.sock|; s|^metrics_file:.*||; s|/usr/share/hotline|$repo|" \
  "$data/etc-hotline/box.yaml" > "$speak"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/appliance > "$work/appliance" && chmod +x "$work/appliance"
"$work/appliance" run --config "$speak" --virtual --seconds 1 > "$work/speak.log" 2>&1 || { cat "$work/speak.log" >&2; exit 1; }
rm -f "$data/hotline/cases.sqlite"* "$data/hotline/control.sock"
uid() { chroot "$root" id -u "$1"; }
gid() { chroot "$root" getent group "$1" | cut -d: -f3; }
chown -R "$(uid hotline):$(gid hotline)" "$data/hotline"
chmod 750 "$data/hotline"
chown -R "$(uid hotline-console):$(gid technicians)" "$data/hotline-console"
chmod 700 "$data/hotline-console"
# The directory and the network and time settings are readable by all: networkd and timesyncd
# run as their own users and read them through /etc/systemd links (a 750 directory kept the
# leased line down). The box's config is not.
chown -R "0:$(gid technicians)" "$data/etc-hotline"
chmod 755 "$data/etc-hotline" "$data/etc-hotline/network"
chmod 644 "$data/etc-hotline/timesyncd.conf" "$data/etc-hotline/network/20-leased-line.network"
chmod 640 "$data/etc-hotline/box.yaml"
chown "0:$(gid systemd-journal)" "$data/log/journal"
chmod 2755 "$data/log/journal"

# The file systems, then the disk. A slot has room for a root a fifth larger than this one
# (a release build's appliance is smaller than the debug build CI puts in). The data partition
# holds 8 MB as flashed and grows into the disk at the first boot: the raw image stays under
# 1 GB (docs/BENCHMARKS.md).
root_mib=$(( $(du -sm "$root" | cut -f1) * 105 / 100 + 16 ))
slot_mib=$(( root_mib * 6 / 5 ))
data_mib=48
esp_mib=32
# Slot B's size, for systemd-repart at the first boot (usr/lib/repart.d: the partitions in
# order, then this one).
cat > "$root/usr/lib/repart.d/40-rootfs-b.conf" <<CONF
# Root slot B, made at the first boot with slot A's size (image/build-image.sh writes this).
[Partition]
Type=linux-generic
Label=rootfs-b
SizeMinBytes=${slot_mib}M
SizeMaxBytes=${slot_mib}M
CONF
mkfs.ext4 -q -L hotline-root -O ^has_journal -m 0 -T default -d "$root" "$out/rootfs.ext4" "${root_mib}M"
# RAUC's record of slot A, as if this root had been installed from its bundle: `update status`
# then names the flashed version, not "unknown".
cat > "$data/rauc.status" <<STATUS
[slot.rootfs.0]
bundle.compatible=hotline-district-node-amd64
bundle.version=$version
status=ok
sha256=$(sha256sum "$out/rootfs.ext4" | cut -d' ' -f1)
size=$(stat -c %s "$out/rootfs.ext4")
installed.timestamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
installed.count=1
STATUS
mkfs.ext4 -q -L hotline-data -d "$data" "$work/data.ext4" "${data_mib}M"
mkfs.vfat -n ESP -C "$work/esp.img" $(( esp_mib * 1024 )) > /dev/null
grub-mkimage -O x86_64-efi -o "$work/BOOTX64.EFI" -p /EFI/hotline \
  part_gpt fat ext2 normal linux loadenv test echo regexp configfile gzio efi_gop serial terminal
grub-editenv "$work/grubenv" create
grub-editenv "$work/grubenv" set ORDER="A B" A_OK=1 A_TRY=0 B_OK=0 B_TRY=0
mmd -i "$work/esp.img" ::/EFI ::/EFI/BOOT ::/EFI/hotline
mcopy -i "$work/esp.img" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$work/esp.img" "$here/esp/grub.cfg" "$work/grubenv" ::/EFI/hotline/

disk="$out/hotline-$version-amd64.img"
total_mib=$(( 1 + esp_mib + slot_mib + data_mib + 1 ))
rm -f "$disk"
truncate -s "${total_mib}M" "$disk"
sfdisk -q "$disk" <<PARTS
label: gpt
1 : start=1MiB, size=${esp_mib}MiB, type=U, name=esp
2 : size=${slot_mib}MiB, type=L, name=rootfs-a
3 : size=${data_mib}MiB, type=L, name=data
PARTS
place() {  # file, partition number
  local start
  start=$(sfdisk -J "$disk" | python3 -c "import json,sys; print(json.load(sys.stdin)['partitiontable']['partitions'][$2-1]['start'])")
  dd if="$1" of="$disk" bs=512 seek="$start" conv=notrunc,sparse status=none
}
place "$work/esp.img" 1
place "$out/rootfs.ext4" 2
place "$work/data.ext4" 3

# The update bundle of this root, and its signer's certificate for the tests.
bash "$here/make-bundle.sh" "$out/rootfs.ext4" "$version" "$cert" "$key" "$out/hotline-$version.raucb"
cp "$cert" "$out/signer.cert.pem"
# The development signer's key goes beside it (the boot test signs its bundles with it); a
# release key given through HOTLINE_SIGNING_KEY never leaves where it is.
[ -n "${HOTLINE_SIGNING_KEY:-}" ] || cp "$key" "$out/signer.key.pem"
echo "$version" > "$out/version"
ln -sfn "$(basename "$disk")" "$out/disk.img"
echo "$disk"
echo "build-image: $disk ($(du -m --apparent-size "$disk" | cut -f1) MiB raw) in $(( $(date +%s) - started )) s" >&2
