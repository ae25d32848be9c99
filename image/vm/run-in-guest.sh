#!/bin/sh
# Runs inside the VM at boot (hotline-vm-test.service): the hardware tests against the real
# DAHDI driver. (The ALSA+GPIO call through snd-aloop and gpio-sim is not here yet: see
# docs/HARDWARE.md.) Results go to the shared folder, one PASS/FAIL line per test and a closing
# "N passed, N failed" line.
set -u
S=/mnt/share
R=$S/results.txt
LOG=$S/guest.log
: > "$R"; : > "$LOG"
pass=0; fail=0
A=$S/appliance
export HOME=/root

result() {  # name, status
  if [ "$2" -eq 0 ]; then echo "PASS $1" >> "$R"; pass=$((pass + 1)); else echo "FAIL $1" >> "$R"; fail=$((fail + 1)); fi
}
db() { sqlite3 /var/lib/box/cases.sqlite "$1"; }
expect_eq() {  # what, got, wanted
  if [ "$2" = "$3" ]; then return 0; fi
  echo "  $1: got '$2', wanted '$3'" >> "$LOG"; return 1
}

# --- DAHDI: two local dynamic spans looped to each other (system.conf from the image) ---
modprobe -r dahdi_dynamic_loc dahdi_dynamic dahdi >> "$LOG" 2>&1
modprobe -a dahdi dahdi_dynamic dahdi_dynamic_loc >> "$LOG" 2>&1
dahdi_cfg -vv >> "$LOG" 2>&1 || echo "dahdi_cfg failed" >> "$LOG"

mkdir -p /var/lib/box
cat > /var/lib/box.yaml <<CONF
data_dir: /var/lib/box
prompt_cache: $S/prompt-pack
flow: $S/flows/seed.yaml
prompts: $S/prompts/cmn.yaml
documents: $S/documents
demo_traffic: false
control_socket: /run/box.sock
hardware:
  dahdi:
    channels: 1-4
    echo_cancel: 0
CONF
"$A" run --config /var/lib/box.yaml > "$S/box.log" 2>&1 &
box=$!
for i in $(seq 1 60); do grep -q "box up" "$S/box.log" 2>/dev/null && break; sleep 1; done
grep -q "box up" "$S/box.log" || echo "the box did not start" >> "$LOG"

scenario() {  # name
  started=$(date +%s)
  "$A" exchange --dahdi 25-28 --scenario "$S/scenarios/$1.json" --box-data /var/lib/box --timeout 300 > "$S/$1.out" 2>> "$LOG"
  status=$?
  sleep 3   # the box closes the CDR after the line drops
  echo "$1: exchange exit $status after $(( $(date +%s) - started )) s" >> "$LOG"
  return $status
}

# 1: China's ring cadence with a Bell 202 spill between the first and second ring, the full
# complaint flow with DTMF from the exchange side, the recording stored, hang-up by loop drop.
t=0
scenario dahdi-complaint || t=1
expect_eq "caller id" "$(db "SELECT caller_number FROM calls ORDER BY id DESC LIMIT 1")" 13812345678 || t=1
expect_eq "case" "$(db "SELECT kind || ' ' || complete FROM cases ORDER BY id DESC LIMIT 1")" "complaint 1" || t=1
expect_eq "recording" "$(db "SELECT COUNT(*) FROM media WHERE kind = 'recording' AND size > 20000")" 1 || t=1
expect_eq "hang-up" "$(db "SELECT disconnect_reason FROM calls ORDER BY id DESC LIMIT 1")" loop_current_lost || t=1
result "DAHDI: ring cadence + Bell 202 caller ID, complaint flow by DTMF, recording stored, loop-drop hang-up" $t

# 2: the caller hangs up and the exchange sends busy tone, with loop current kept.
t=0
scenario dahdi-busy || t=1
expect_eq "hang-up" "$(db "SELECT disconnect_reason FROM calls ORDER BY id DESC LIMIT 1")" busy_tone || t=1
result "DAHDI: hang-up detected by busy tone alone" $t

# 3: four calls at once.
t=0
before=$(db "SELECT COUNT(*) FROM calls")
scenario dahdi-four || t=1
expect_eq "answered" "$(db "SELECT COUNT(*) FROM calls WHERE id > $before AND answered_at IS NOT NULL")" 4 || t=1
expect_eq "lines" "$(db "SELECT COUNT(DISTINCT line) FROM calls WHERE id > $before")" 4 || t=1
result "DAHDI: four simultaneous calls" $t

# 4: a fax received over DAHDI.
t=0
scenario dahdi-fax || t=1
expect_eq "fax" "$(db "SELECT kind || ' ' || complete FROM cases ORDER BY id DESC LIMIT 1")" "fax 1" || t=1
expect_eq "pages" "$(db "SELECT pages FROM media WHERE kind = 'fax' ORDER BY id DESC LIMIT 1")" 2 || t=1
result "DAHDI: fax received" $t

kill $box 2>/dev/null; wait $box 2>/dev/null
cp /var/lib/box/cases.sqlite "$S/" 2>/dev/null

echo "$pass passed, $fail failed" >> "$R"
