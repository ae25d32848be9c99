#!/bin/sh
# Sourced by run-in-guest.sh: the box run by its own units, installed where the package puts
# them, with the hardening they ship with. Phase 1 installs and starts them, takes a call,
# logs in on the serial console (a real UART, ttyS1, whose far end ttyS2 is the technician's
# terminal: qemu joins the two), locks the console with wrong PINs, restarts the console and
# finds it still locked, lifts the lock as root, then reboots the guest with `reboot confirm`.
# Phase 2 runs after that reboot and checks that the box came back by itself.
PHASE_MARK=/var/lib/hotline-vm-rebooted
TERMINAL_END=/dev/ttyS2
CONSOLE_UNIT=appliance-console@ttyS1.service
PIN=246810

# The box installed from its Debian package (scripts/build-deb.sh), as a technician would:
# dpkg -i of hotline-appliance_VERSION_amd64.deb on this Debian 12 guest. Only the config is
# the test's (4 DAHDI channels), written where the conffile is.
install_as_package() {
  # The prompt pack spoken at image time, in the data directory the unit owns, before the
  # package's first start (which would otherwise speak it).
  mkdir -p /var/lib/hotline/prompts
  cp -r "$S/prompt-pack" /var/lib/hotline/prompts/cmn
  dpkg -i "$S/deb/$(cat "$S/deb/current")" || return 1
  chown -R hotline:hotline /var/lib/hotline
  udevadm control --reload
  udevadm trigger --action=add --subsystem-match=dahdi --subsystem-match=dahdi_channels
  udevadm settle
  ls -l /dev/dahdi/ | head -6
  cat > /etc/hotline/box.yaml <<CONF
node_prefix: "5"
data_dir: /var/lib/hotline
flow: /usr/share/hotline/flows/seed.yaml
prompts: /usr/share/hotline/prompts/cmn.yaml
documents: /usr/share/hotline/documents
demo_traffic: false
control_socket: /run/hotline/control.sock
console:
  lockout_after: 5
  lockout: 10m
hardware:
  dahdi:
    channels: 1-4
    echo_cancel: 0
CONF
  systemctl daemon-reload
}

# What the package left: its files, its users, the config's owner and mode.
package_installed() {
  t=0
  expect_eq "package state" "$(dpkg-query -W -f='${Status} ${Version}' hotline-appliance)" "install ok installed $(cat "$S/deb/version")" || t=1
  expect_eq "appliance --version" "$(/usr/bin/appliance --version)" "$(cat "$S/deb/version")" || t=1
  expect_eq "config owner and mode" "$(stat -c '%U:%G %a' /etc/hotline/box.yaml)" "root:technicians 640" || t=1
  for user in hotline hotline-console; do id "$user" >/dev/null || { echo "  no user $user" >> "$LOG"; t=1; }; done
  for f in /usr/share/hotline/flows/seed.yaml /usr/share/hotline/prompts/cmn.yaml /lib/udev/rules.d/60-hotline.rules \
           /usr/share/polkit-1/rules.d/50-hotline.rules /usr/share/man/man8/appliance.8.gz; do
    [ -f "$f" ] || { echo "  missing $f" >> "$LOG"; t=1; }
  done
  systemctl is-enabled appliance.service >> "$LOG" 2>&1 || t=1
  return $t
}

# One console session: the console unit (re)started with the terminal already listening. The
# unit is stopped first, before the terminal opens (and drops what the line still holds): the
# last session's prompt, or the one of the instance Restart= brings back after a logout, would
# otherwise be taken for this session's.
chat() {  # name; the send/expect script on stdin
  cat > "$S/$1.chat"
  systemctl stop "$CONSOLE_UNIT" >> "$LOG" 2>&1
  rm -f "$S/$1.ready"
  "$L" terminal --tty "$TERMINAL_END" --timeout 120 --ready "$S/$1.ready" "$S/$1.chat" > "$S/$1.out" 2>> "$LOG" &
  terminal=$!
  # The console starts once the terminal listens on an emptied line: a loaded guest may take
  # seconds to start the terminal, and what the console says before that would be lost.
  while [ ! -e "$S/$1.ready" ] && kill -0 $terminal 2>/dev/null; do sleep 0.2; done
  systemctl start "$CONSOLE_UNIT" >> "$LOG" 2>&1
  wait $terminal
}

box_answers() {  # what the control socket says to `status`, as root
  "$A" ctl --socket /run/hotline/control.sock status 2>> "$LOG" | grep -q "lines 4 (dahdi)"
}

wait_for_box() {
  for i in $(seq 1 90); do box_answers && return 0; sleep 1; done
  systemctl status appliance.service --no-pager >> "$LOG" 2>&1
  journalctl -u appliance.service --no-pager -n 12 >> "$LOG" 2>&1
  return 1
}

units_phase1() {
  box_data=/var/lib/hotline
  t=0
  install_as_package >> "$LOG" 2>&1 || t=1
  package_installed || t=1
  systemctl restart appliance.service >> "$LOG" 2>&1 || t=1
  wait_for_box || t=1
  systemd-analyze security appliance.service --no-pager 2>/dev/null | tail -1 >> "$LOG"
  result "units: dpkg -i of the .deb on a clean Debian 12: files, users, config mode; appliance.service starts sandboxed and answers the control socket" $t

  t=0
  scenario complaint units-complaint --dahdi 25-28 || t=1
  expect_eq "case under the unit" "$(db "SELECT kind || ' ' || complete FROM cases ORDER BY id DESC LIMIT 1")" "complaint 1" || t=1
  result "units: a complaint call taken by the box under its hardened unit" $t

  # The log as journald has it: priorities from the <N> prefix (info is not a warning), no time
  # stamp of the box's own, and the call's line, call and case as key=value.
  t=0
  journal() { journalctl -u appliance.service --no-pager -o cat "$@"; }
  journal -p info | grep -q "^box up: 4 DAHDI lines" || { echo "  journal: no info entry starting 'box up'" >> "$LOG"; t=1; }
  ! journal -p warning | grep -q "^box up" || { echo "  journal: 'box up' at warning priority" >> "$LOG"; t=1; }
  journal -p info | grep -Eq "call=[0-9]+ case=[0-9]{8} line=[0-9]+" || { echo "  journal: no entry with call=, case= and line=" >> "$LOG"; t=1; }
  ! journal | grep -Eq "^(<[0-9]>|[0-9]{4}-[0-9]{2}-[0-9]{2}T)" || { echo "  journal: an entry kept its <N> prefix or a time stamp" >> "$LOG"; t=1; }
  [ $t -eq 0 ] || journal -n 20 >> "$LOG" 2>&1
  result "units: journald has the box's log with its priorities (journalctl -p), its line, call and case fields, and no time stamp of its own" $t

  t=0
  chat console-first <<CHAT || t=1
expect no console PIN is set on this box yet
expect new PIN
send 1234
expect 6 or more digits
send $PIN
expect the same PIN again
send $PIN
expect PIN set
send status
expect lines 4 (dahdi)
send logout
expect bye
CHAT
  result "units: the console unit on ttyS1 asks a fresh box for a PIN, keeps it and reaches the box" $t

  t=0
  chat console-wrong <<CHAT || t=1
expect PIN:
send 111111
expect 4 tries before the console locks
send 222222
expect 3 tries
send 333333
expect 2 tries
send 444444
expect 1 try
send 555555
expect console locked for 600 s
CHAT
  result "units: five wrong PINs lock the console" $t

  t=0
  chat console-locked <<CHAT || t=1
expect PIN:
send $PIN
expect locked after 5 wrong PINs; try again in
CHAT
  result "units: the lock survives a restart of the console unit (the right PIN is refused)" $t

  # Root lifts the lock early, as a technician with a root shell may.
  rm -f /var/lib/hotline-console/lockout.json
  # The test unit powers the guest off when it ends, and the reboot ends it: for this boot
  # only (/run), it must let the reboot be a reboot.
  mkdir -p /run/systemd/system/hotline-vm-test.service.d
  printf '[Unit]\nSuccessAction=none\nFailureAction=none\n' > /run/systemd/system/hotline-vm-test.service.d/reboot.conf
  systemctl daemon-reload
  cat /proc/sys/kernel/random/boot_id > "$PHASE_MARK"
  sync
  t=0
  chat console-reboot <<CHAT || t=1
expect PIN:
send $PIN
expect logged in
send reboot confirm
expect PIN to reboot the box
send $PIN
expect (exit status 0)
CHAT
  if [ $t -eq 0 ]; then
    echo "reboot requested through the console at $(date +%s)" >> "$LOG"
    sleep 120   # the reboot stops this script; still here means it did not happen
    echo "  no reboot within 120 s of reboot confirm" >> "$LOG"
  fi
  # No reboot: the guest powers off when this unit ends, as on any other failure, rather than
  # idling to the VM stage's timeout.
  rm -rf "$PHASE_MARK" /run/systemd/system/hotline-vm-test.service.d
  systemctl daemon-reload
  result "units: reboot confirm on the console reboots the box" 1
}

units_phase2() {
  box_data=/var/lib/hotline
  t=0
  [ "$(cat "$PHASE_MARK")" != "$(cat /proc/sys/kernel/random/boot_id)" ] || t=1
  result "units: reboot confirm on the console reboots the box" $t
  t=0
  wait_for_box || t=1
  expect_eq "calls kept across the reboot" "$(db "SELECT COUNT(*) FROM calls")" 1 || t=1
  result "units: after the reboot the box is back by itself, its store intact" $t
  rm -f "$PHASE_MARK"

  # An upgrade to the next version (the same files, repacked as VERSION+1): the technician's
  # config is kept, the box is restarted on the new package and its store is intact.
  t=0
  echo "# changed by the technician" >> /etc/hotline/box.yaml
  dpkg -i "$S/deb/$(cat "$S/deb/next")" >> "$LOG" 2>&1 || t=1
  expect_eq "version after the upgrade" "$(dpkg-query -W -f='${Version}' hotline-appliance)" "$(cat "$S/deb/next-version")" || t=1
  tail -1 /etc/hotline/box.yaml | grep -q "changed by the technician" || { echo "  the upgrade replaced the changed config" >> "$LOG"; t=1; }
  wait_for_box || t=1
  expect_eq "calls kept across the upgrade" "$(db "SELECT COUNT(*) FROM calls")" 1 || t=1
  result "units: upgrading the package keeps the changed conffile and the store; the box comes back" $t

  # Purging stops the box, removes its files and config, and keeps the cases.
  t=0
  dpkg --purge hotline-appliance >> "$LOG" 2>&1 || t=1
  systemctl is-active --quiet appliance.service && { echo "  the box still runs after the purge" >> "$LOG"; t=1; }
  for f in /usr/bin/appliance /etc/hotline /lib/systemd/system/appliance.service; do
    [ ! -e "$f" ] || { echo "  $f left after the purge" >> "$LOG"; t=1; }
  done
  [ -s /var/lib/hotline/cases.sqlite ] || { echo "  the purge lost the case store" >> "$LOG"; t=1; }
  result "units: purging the package removes the box and its config, keeps the cases" $t
}
