#!/bin/sh
# Runs inside the VM at boot (hotline-vm-test.service): the hardware tests against the real
# DAHDI driver, a call on the ALSA+GPIO backend through snd-aloop and gpio-sim, then the box
# under its own installed units (units-in-guest.sh), which ends by rebooting the guest from the
# console; this script runs again after that reboot for the second phase. Results go to the
# shared folder, one PASS/FAIL line per test and a closing "N passed, N failed" line.
set -u
S=/mnt/share
R=$S/results.txt
LOG=$S/guest.log
A=$S/appliance
L=$S/hotline-lab
export HOME=/root
# The binaries are the tests' own debug build, linked against the Swift runtime: it is shared
# beside them and put where their run path looks, on every boot (the root is a snapshot).
mkdir -p /opt/swift/usr/lib/swift/linux && cp "$S"/swift-runtime/*.so* /opt/swift/usr/lib/swift/linux/
. "$S/units-in-guest.sh"

result() {  # name, status
  if [ "$2" -eq 0 ]; then echo "PASS $1" >> "$R"; else echo "FAIL $1" >> "$R"; fi
}
finish() {
  echo "$(grep -c '^PASS' "$R") passed, $(grep -c '^FAIL' "$R") failed" >> "$R"
}
db() { sqlite3 "$box_data/cases.sqlite" "$1"; }
expect_eq() {  # what, got, wanted
  if [ "$2" = "$3" ]; then return 0; fi
  echo "  $1: got '$2', wanted '$3'" >> "$LOG"; return 1
}

# --- DAHDI: two local dynamic spans looped to each other (system.conf from the image) ---
dahdi_up() {
  modprobe -a dahdi dahdi_dynamic dahdi_dynamic_loc >> "$LOG" 2>&1
  dahdi_cfg -vv >> "$LOG" 2>&1 || echo "dahdi_cfg failed" >> "$LOG"
}
if [ -f "$PHASE_MARK" ]; then
  # After the console rebooted the guest: the installed box started at boot, before DAHDI was
  # configured (as on a box whose card driver comes up late), and must recover by itself.
  echo "--- after the reboot" >> "$LOG"
  dahdi_up
  units_phase2
  finish
  exit 0
fi
: > "$R"; : > "$LOG"
dahdi_up

start_box() {  # data directory; the config's hardware section on stdin
  box_data=$1
  mkdir -p "$box_data"
  { cat <<CONF
data_dir: $box_data
prompt_cache: $S/prompt-pack
flow: $S/flows/seed.yaml
prompts: $S/prompts/cmn.yaml
documents: $S/documents
demo_traffic: false
control_socket: $box_data/control.sock
CONF
  cat; } > "$box_data.yaml"
  log=$S/$(basename "$box_data").log
  "$A" run --config "$box_data.yaml" > "$log" 2>&1 &
  box=$!
  for i in $(seq 1 300); do grep -q "box up" "$log" 2>/dev/null && break; sleep 1; done
  grep -q "box up" "$log" || echo "the box in $box_data did not start" >> "$LOG"
}
# The central office reaches this box on loopback (plain HTTP is allowed there only), and it
# may call back at any hour, so the test does not depend on when CI runs.
start_box /var/lib/box <<HW
hardware:
  dahdi:
    channels: 1-4
    echo_cancel: 0
uplink:
  listen: 127.0.0.1:8443
  plain_http: true
calendar:
  services:
    callbacks:
      mon-sun: 00:00-24:00
      holidays: 00:00-24:00
HW

scenario() {  # scenario, output name, the exchange's side (options of hotline-lab exchange)
  started=$(date +%s)
  name=$1; out=$2; shift 2
  "$L" exchange "$@" --scenario "$S/scenarios/$name.json" --box-data "$box_data" --timeout 300 > "$S/$out.out" 2>> "$LOG"
  status=$?
  sleep 3   # the box closes the CDR after the line drops
  echo "$out: exchange exit $status after $(( $(date +%s) - started )) s" >> "$LOG"
  return $status
}

# 1: China's ring cadence with a Bell 202 spill between the first and second ring, the full
# complaint flow with DTMF from the exchange side, the recording stored, hang-up by loop drop.
t=0
scenario complaint dahdi-complaint --dahdi 25-28 || t=1
expect_eq "caller id" "$(db "SELECT caller_number FROM calls ORDER BY id DESC LIMIT 1")" 13812345678 || t=1
expect_eq "case" "$(db "SELECT kind || ' ' || complete FROM cases ORDER BY id DESC LIMIT 1")" "complaint 1" || t=1
expect_eq "recording" "$(db "SELECT COUNT(*) FROM media WHERE kind = 'recording' AND size > 20000")" 1 || t=1
expect_eq "hang-up" "$(db "SELECT disconnect_reason FROM calls ORDER BY id DESC LIMIT 1")" loop_current_lost || t=1
result "DAHDI: ring cadence + Bell 202 caller ID, complaint flow by DTMF, recording stored, loop-drop hang-up" $t

# 2: the caller hangs up and the exchange sends busy tone, with loop current kept.
t=0
scenario dahdi-busy dahdi-busy --dahdi 25-28 || t=1
expect_eq "hang-up" "$(db "SELECT disconnect_reason FROM calls ORDER BY id DESC LIMIT 1")" busy_tone || t=1
result "DAHDI: hang-up detected by busy tone alone" $t

# 3: four calls at once.
t=0
before=$(db "SELECT COUNT(*) FROM calls")
scenario dahdi-four dahdi-four --dahdi 25-28 || t=1
expect_eq "answered" "$(db "SELECT COUNT(*) FROM calls WHERE id > $before AND answered_at IS NOT NULL")" 4 || t=1
expect_eq "lines" "$(db "SELECT COUNT(DISTINCT line) FROM calls WHERE id > $before")" 4 || t=1
result "DAHDI: four simultaneous calls" $t

# 4: a fax received over DAHDI.
t=0
scenario dahdi-fax dahdi-fax --dahdi 25-28 || t=1
expect_eq "fax" "$(db "SELECT kind || ' ' || complete FROM cases ORDER BY id DESC LIMIT 1")" "fax 1" || t=1
expect_eq "pages" "$(db "SELECT pages FROM media WHERE kind = 'fax' ORDER BY id DESC LIMIT 1")" 2 || t=1
result "DAHDI: fax received" $t

# 5: a call-back through a real DAHDI channel: the central office schedules it over the uplink,
# the box dials out on a line of its own, the exchange side rings the number's callee, who
# presses 1, hears the result and rates it 1.
t=0
number=$(db "SELECT number FROM cases WHERE kind = 'complaint' ORDER BY id LIMIT 1")
body="{\"id\": \"vm-callback-1\", \"case\": \"$number\", \"number\": \"13912340000\", \"status\": \"closed\"}"
# The exchange side listens first: a box that seizes a line nobody drives hears no dial tone.
"$L" exchange --dahdi 25-28 --outbound 1 --scenario "$S/scenarios/dahdi-callback.json" --box-data "$box_data" --timeout 300 \
  > "$S/dahdi-callback.out" 2>> "$LOG" &
exchange=$!
sleep 3
bash -c 'exec 3<>/dev/tcp/127.0.0.1/8443 && printf "POST /v1/callbacks HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s" "${#1}" "$1" >&3 && cat <&3' _ "$body" > "$S/dahdi-callback-post.out" 2>> "$LOG"
grep -q '"created":true' "$S/dahdi-callback-post.out" || { echo "callback post: $(cat "$S/dahdi-callback-post.out")" >> "$LOG"; t=1; }
wait $exchange || { echo "dahdi-callback: exchange exit $?" >> "$LOG"; t=1; }
sleep 3   # the box closes the CDR and the job after the line drops
expect_eq "call-back" "$(db "SELECT outcome || ' ' || rating FROM outbound_jobs WHERE client_id = 'vm-callback-1'")" "rated 1" || t=1
expect_eq "attempt" "$(db "SELECT group_concat(result) FROM outbound_attempts")" answered || t=1
expect_eq "direction" "$(db "SELECT direction FROM calls ORDER BY id DESC LIMIT 1")" outbound || t=1
result "DAHDI: a call-back scheduled over the uplink, dialled out through a DAHDI channel, heard and rated" $t

kill $box 2>/dev/null; wait $box 2>/dev/null
cp /var/lib/box/cases.sqlite "$S/" 2>/dev/null

# --- ALSA through snd-aloop, GPIO through gpio-sim: one complete call on the ALSA+GPIO backend.
# The box captures Loopback 1,0 (what the exchange plays into 0,0) and plays into 0,1 (which the
# exchange captures from 1,1). The box's hook relay, ring detect and loop sense are lines 0-2 of
# a simulated chip: the exchange rings by pulling line 1, feeds loop current on line 2 and reads
# the relay back from line 0.
t=0
modprobe snd-aloop >> "$LOG" 2>&1 || t=1
modprobe gpio-sim >> "$LOG" 2>&1 || t=1
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
G=/sys/kernel/config/gpio-sim/hotline
mkdir -p $G/bank0
echo 3 > $G/bank0/num_lines
for i in 0 1 2; do mkdir -p $G/bank0/line$i; done
echo LINE1_HOOK > $G/bank0/line0/name
echo LINE1_RING > $G/bank0/line1/name
echo LINE1_LOOP > $G/bank0/line2/name
echo 1 > $G/live
SIM=/sys/devices/platform/$(cat $G/dev_name)/$(cat $G/bank0/chip_name)
start_box /var/lib/box-alsa <<HW
hardware:
  alsa:
    lines:
      - {capture: "plughw:Loopback,1,0", playback: "plughw:Loopback,0,1", hook: LINE1_HOOK, ring: LINE1_RING, loop_sense: LINE1_LOOP}
HW
gpioinfo >> "$LOG" 2>&1
scenario complaint alsa-complaint --alsa-playback plughw:Loopback,0,0 --alsa-capture plughw:Loopback,1,1 --gpio-sim $SIM || t=1
expect_eq "answered (relay read back)" "$(grep -c '"answered_ms":[0-9]' "$S/alsa-complaint.out")" 1 || t=1
expect_eq "relay open after the call" "$(cat $SIM/sim_gpio0/value)" 0 || t=1
expect_eq "caller id" "$(db "SELECT caller_number FROM calls ORDER BY id DESC LIMIT 1")" 13812345678 || t=1
expect_eq "case" "$(db "SELECT kind || ' ' || complete FROM cases ORDER BY id DESC LIMIT 1")" "complaint 1" || t=1
expect_eq "recording" "$(db "SELECT COUNT(*) FROM media WHERE kind = 'recording' AND size > 20000")" 1 || t=1
expect_eq "hang-up" "$(db "SELECT disconnect_reason FROM calls ORDER BY id DESC LIMIT 1")" loop_current_lost || t=1
kill $box 2>/dev/null; wait $box 2>/dev/null
grep "xruns" "$S/box-alsa.log" >> "$LOG"
result "ALSA+GPIO: snd-aloop audio, gpio-sim ring and loop sense, hook relay read back; caller ID, complaint flow by DTMF, recording, loop-drop hang-up" $t
# The calls, which fail when the guest is starved of the host's time (the fax, the call-back's
# answer), are over: a caller (CI's boot test) may now load the host.
touch "$S/calls-done"
units_phase1
finish
