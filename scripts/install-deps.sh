#!/usr/bin/env bash
# Installs the Debian packages the box needs to build, run and test — only those missing.
set -euo pipefail

packages=(
  # build: SpanDSP and what its header pulls in, the kernel/driver headers, the case store
  pkg-config libspandsp-dev libtiff-dev libasound2-dev libgpiod-dev libsqlite3-dev libcrypt-dev dahdi-source
  # uplink: recordings sent as Ogg Opus, JSON deflated
  libopusenc-dev libopus-dev zlib1g-dev
  # prompts are spoken by espeak-ng (Mandarin); fax-back documents use Unifont's glyphs
  espeak-ng unifont
  # tests: audio and fax pages made by other tools than ours; systemd-analyze for the units
  sox libtiff-tools netpbm python3 systemd
  # tests: Opus files checked by another decoder than ours; openssl makes certificates we did not
  opus-tools openssl
  # the central office: its system of record (a real server in the tests); tiff2pdf above makes faxes PDF
  postgresql postgresql-client
  # tests: the desk's pages in a real browser, driven through WebDriver
  chromium chromium-driver python3-selenium
  # the Debian packages (scripts/build-deb.sh)
  dpkg-dev debhelper python3-yaml
  # the flashable image and its boot test (image/): the root, the disk, grub, RAUC bundles, UEFI under qemu
  mmdebstrap e2fsprogs dosfstools mtools fdisk grub-efi-amd64-bin grub-common rauc squashfs-tools ovmf qemu-system-x86 python3-pexpect zstd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
