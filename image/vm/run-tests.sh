#!/usr/bin/env bash
# The VM stage: boots the Debian guest (image/vm/build-image.sh, cached) under qemu with the
# tests' appliance and hotline-lab (its test exchange) shared in, runs image/vm/run-in-guest.sh there against the real
# DAHDI, snd-aloop and gpio-sim drivers, and reports the guest's results. Fails loudly when it cannot run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in mmdebstrap qemu-system-x86 e2fsprogs; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; fi

started=$(date +%s)
image="$(bash image/vm/build-image.sh)" || { echo "VM STAGE FAILED: the guest image could not be built (is the Debian mirror reachable?)" >&2; exit 1; }
image_s=$(( $(date +%s) - started ))
# The debug build by default, the one the tests use (its frame path is optimized: Package.swift);
# HOTLINE_VM_CONFIGURATION=release for the release build. Linked as the tests' build is (a
# static-stdlib build in the same build directory would spoil it for them), with the Swift
# runtime libraries they load shared beside them.
config="${HOTLINE_VM_CONFIGURATION:-debug}"
for product in appliance hotline-lab; do swift build -c "$config" --product "$product" 2>&1 | tail -1; done
share="$(mktemp -d /tmp/hotline-vm-share-XXXXXX)"
trap 'rm -rf "$share" "${line:-}"' EXIT
cp ".build/$config/appliance" ".build/$config/hotline-lab" image/vm/run-in-guest.sh image/vm/units-in-guest.sh "$share/"
mkdir "$share/swift-runtime"
ldd ".build/$config/appliance" ".build/$config/hotline-lab" | awk '$3 ~ "/lib/swift/" {print $3}' | sort -u | xargs -r cp -t "$share/swift-runtime/"
cp -r flows prompts documents systemd image/vm/scenarios "$share/"
# The Debian package the guest installs (.ci/run built it: HOTLINE_DEB), and the same files
# repacked as the next version, which the guest upgrades to.
deb="${HOTLINE_DEB:-$(bash scripts/build-deb.sh "$config")}"
mkdir "$share/deb"
cp "$deb" "$share/deb/"
basename "$deb" > "$share/deb/current"
version="$(dpkg-deb -f "$deb" Version)"
echo "$version" > "$share/deb/version"
repack="$(mktemp -d)"
dpkg-deb -R "$deb" "$repack/pkg"
sed -i "s/^Version: .*/Version: $version+next1/" "$repack/pkg/DEBIAN/control"
dpkg-deb -b -Zgzip -z1 "$repack/pkg" "$share/deb/next.deb" > /dev/null
rm -rf "$repack"
echo next.deb > "$share/deb/next"
echo "$version+next1" > "$share/deb/next-version"
# The caller's speech and the prompt pack are spoken here (espeak-ng) and shared, so the guest
# needs no speech synthesiser.
espeak-ng -v cmn -w "$share/.speech.wav" "我要投诉,幸福小区门口的路灯坏了三个星期,晚上很不安全,请尽快修理。"
sox "$share/.speech.wav" -r 8000 -c 1 -b 16 "$share/complaint-speech.wav"
rm -f "$share/.speech.wav"
".build/$config/hotline-lab" simulate scenarios/query.json --data "$share/.sim" --prompt-cache "$share/prompt-pack" > /dev/null
rm -rf "$share/.sim"
# Everything the guest needs is copied: a caller (CI) may now build and test beside it. The
# ready file names the share, where the guest leaves calls-done once its calls are over.
[ -n "${HOTLINE_VM_READY:-}" ] && echo "$share" > "$HOTLINE_VM_READY.part" && mv "$HOTLINE_VM_READY.part" "$HOTLINE_VM_READY"

boot=$(date +%s)
# ttyS0 is the console (explicit: a -device isa-serial would drop the default one). Two more
# UARTs joined to each other: ttyS1 carries the console unit, ttyS2 is the technician's
# terminal at its far end. No -no-reboot: the console's `reboot confirm` reboots the guest, and
# the second boot runs the tests' second phase.
line="$(mktemp -d /tmp/hotline-vm-line-XXXXXX)"
timeout "${HOTLINE_VM_TIMEOUT:-1500}" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -machine q35 -m 2048 -smp 2 \
  -nographic -serial mon:stdio -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
  -chardev "socket,id=console-line,path=$line/uart,server=on,wait=off" -device isa-serial,chardev=console-line,index=1 \
  -chardev "socket,id=technician,path=$line/uart" -device isa-serial,chardev=technician,index=2 \
  -append "root=/dev/vda rw console=ttyS0 hotline.test" \
  -drive "file=$image/rootfs.img,if=virtio,format=raw" -snapshot \
  -virtfs "local,path=$share,mount_tag=share,security_model=none" > "$share/console.log" 2>&1 || true
boot_s=$(( $(date +%s) - boot ))

mkdir -p .build/vm-stage
cp "$share"/*.log "$share"/*.out "$share/results.txt" .build/vm-stage/ 2>/dev/null || true
if [ ! -s "$share/results.txt" ] || ! grep -q " passed, " "$share/results.txt"; then
  echo "VM STAGE FAILED: the guest reported no results (console: .build/vm-stage/console.log)" >&2
  tail -30 "$share/console.log" >&2 || true
  exit 1
fi
echo "VM stage: image ${image_s} s (cached when the recipe is unchanged), boot to result ${boot_s} s"
sed "s/^\([0-9]* passed, [0-9]* failed\)$/VM stage totals — \1/" "$share/results.txt"
if grep -q "^FAIL" "$share/results.txt"; then
  # What CI prints is all a failed run leaves: the guest's notes and the box's log.
  echo "--- guest.log (dahdi_cfg's channel lines left out)"
  grep -v "^Changing\|^Setting\|^Channel\|^ *$" "$share/guest.log" | tail -40 | cut -c1-240
  echo "--- box.log"
  tail -25 "$share/box.log" | cut -c1-240
fi
! grep -q "^FAIL" "$share/results.txt"
