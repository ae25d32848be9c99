#!/usr/bin/env python3
"""The boot test: boots the flashable image itself (image/build-image.sh) under qemu (UEFI,
TCG unless KVM works) and drives it over the emulated serial port ttyS0 as a technician
would, expect-style:
  first boot: the certificate's fingerprint, the PIN set-up, status, lines, line test 1,
  a demo call whose case shows in `cases`, health and the slots;
  a power cut (qemu killed) during a recording, a boot again: the data partition checks clean,
  the case and the partial recording are there;
  the uplink set up at the console (the leased line's address, the central office's certificate
  from the stick), then an update pushed over it as the central office does, a piece at a time
  (resumed on a new connection): the box boots the other slot and marks it good;
  a broken bundle (its daemon never gets healthy): the box rolls back to the good slot by itself;
  a bundle signed by another key: refused.
Prints one PASS/FAIL line per step and the figures (boot to READY, boot to the first case).
When a step fails, the tail of the box's journal (kept on its data partition) follows.

  image/boot-test.py IMAGE_DIR WORK_DIR
  HOTLINE_BOOT_TEST_AFTER=FILE   boot only once FILE exists (CI: the VM stage's calls are
                                 over), at most 20 minutes; the bundles are made meanwhile
"""
import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

import pexpect

PIN = "246810"
image_dir, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
disk = os.path.join(work, "disk.img")
results = []
figures = []
live = {}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The box's uplink (the leased line) reaches the test as the central office through qemu's user
# network: the box has 10.0.2.15 by DHCP, its port 8443 is this port on the host.
UPLINK_PORT = free_port()
BOX_ADDRESS = "10.0.2.15:8443"


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def result(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + (f" ({detail})" if detail else ""), flush=True)


class Box:
    """One boot of the box under qemu: ttyS0 is this expect session, ttyS1 (kernel) a log."""

    def __init__(self, tag, stick=None):
        self.tag, self.stick = tag, stick
        vars_fd = os.path.join(work, "OVMF_VARS.fd")
        if not os.path.exists(vars_fd):
            shutil.copy("/usr/share/OVMF/OVMF_VARS_4M.fd", vars_fd)
        accel = "kvm" if os.environ.get("HOTLINE_KVM") == "1" else "tcg,thread=multi"
        args = ["-accel", accel, "-cpu", "max", "-machine", "q35", "-m", "1536", "-smp", "2",
                "-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                "-drive", f"if=pflash,format=raw,file={vars_fd}",
                "-drive", f"file={disk},if=virtio,format=raw",
                "-device", "i6300esb", "-display", "none", "-monitor", "none",
                # e1000 without its option ROM: the firmware has no driver for it, so it never
                # tries a network boot; the kernel has one.
                "-netdev", f"user,id=uplink,hostfwd=tcp:127.0.0.1:{UPLINK_PORT}-{BOX_ADDRESS}", "-device", "e1000,netdev=uplink,romfile=",
                # A reboot ends qemu, and the test powers the box on again (Box.rebooted): a
                # reset under TCG has been seen to hang the firmware for good.
                "-no-reboot",
                "-serial", "stdio", "-serial", f"file:{os.path.join(work, tag + '.kernel.log')}",
                # The USB controller on every boot, so a stick plugged in later moves no PCI
                # address and the firmware's boot entry for the disk still holds.
                "-device", "qemu-xhci,id=usb"]
        if stick:
            args += ["-drive", f"if=none,id=stick,format=raw,readonly=on,file={stick}", "-device", "usb-storage,bus=usb.0,drive=stick"]
        self.started = time.monotonic()
        live["box"] = self
        self.log = open(os.path.join(work, tag + ".console.log"), "w")
        self.p = pexpect.spawn("qemu-system-x86_64", args, encoding="utf-8", codec_errors="replace", timeout=900)
        self.p.logfile_read = self.log

    # Generous: in CI the box boots beside the VM stage's guest and below its priority.
    def expect(self, pattern, timeout=900):
        return self.p.expect(pattern, timeout=timeout)

    def send(self, line):
        # The console reads raw bytes: a carriage return ends a line, as on a real terminal.
        self.p.send(line + "\r")

    def ask(self, command, expect, timeout=120):
        """Sends a command and waits for `expect` in its answer, then for the next prompt, so
        nothing of this answer is left for the next command's."""
        self.send(command)
        self.expect(expect, timeout)
        said = self.p.before + (self.p.after if isinstance(self.p.after, str) else "")
        self.expect("hotline> ", timeout)
        return said

    def login(self, timeout=900):
        self.expect("PIN:", timeout)
        self.send(PIN)
        self.expect("logged in")
        self.expect("hotline> ")

    def cut_power(self):
        self.p.kill(9)
        self.p.close(force=True)
        self.log.close()

    def wait_off(self, timeout=600):
        self.p.expect(pexpect.EOF, timeout=timeout)
        self.log.close()

    def rebooted(self, timeout=600):
        """The box after it rebooted by itself or was told to: qemu ended (-no-reboot), and it
        is powered on again with the same disk and stick."""
        self.wait_off(timeout)
        self.boots = getattr(self, "boots", 0) + 1
        return Box(f"{self.tag}.{self.boots}", stick=self.stick)


def step(name, body):
    try:
        detail = body()
        result(name, True, detail or "")
        return True
    except (pexpect.TIMEOUT, pexpect.EOF, AssertionError, subprocess.CalledProcessError, OSError, http.client.HTTPException) as e:
        result(name, False, type(e).__name__ + ": " + str(e).splitlines()[0][:200] if str(e) else type(e).__name__)
        return False


def line_section(text, n):
    """What `lines` says of line n: its state line and its recent events."""
    start = text.find(f"line {n}:")
    if start < 0:
        return ""
    end = text.find("\nline ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def poll(box, command, want, tries=40, every=5):
    for _ in range(tries):
        box.send(command)
        box.expect("hotline> ", 60)
        text = box.p.before
        if want(text):
            return text
        time.sleep(every)
    raise AssertionError(f"{command}: never showed what was wanted")


def slot_line(text, bootname):
    """`update status`'s line for one slot."""
    return next((l for l in text.splitlines() if l.strip().startswith(f"slot {bootname}:")), "")


def slots(text):
    return " / ".join(l.strip() for l in text.splitlines() if l.strip().startswith("slot "))


def confirm(box, command):
    """`reboot confirm` or `shutdown confirm`, with the PIN asked again."""
    box.send(command + " confirm")
    box.expect("PIN to " + command)
    box.send(PIN)
    box.expect("exit status 0")


def power_off(box):
    confirm(box, "shutdown")
    box.wait_off()


def install_and_reboot(box, bundle):
    """Installs a bundle from the stick and reboots: the box as it comes back."""
    box.ask(f"update install /media/usb/{bundle}", "installing")
    poll(box, "update status", lambda t: "done" in t, tries=120, every=5)
    confirm(box, "reboot")
    return box.rebooted()


def data_partition_copy():
    """The powered-off disk's data partition, copied out (sparse)."""
    parts = json.loads(sh("sfdisk", "-J", disk))["partitiontable"]["partitions"]
    p = next(p for p in parts if p.get("name") == "data")
    part = os.path.join(work, "data.part")
    subprocess.run(["dd", f"if={disk}", f"of={part}", "bs=1M", f"skip={p['start'] * 512}", f"count={p['size'] * 512}",
                    "iflag=skip_bytes,count_bytes", "conv=sparse", "status=none"], check=True)
    return part


def journal_tail():
    """The last lines the box logged (its persistent journal on the data partition), for a
    failed run: what the console cannot show, such as a shutdown that never ends."""
    box = live.get("box")
    if box and box.p.isalive():
        box.cut_power()
    part = data_partition_copy()
    logs = tempfile.mkdtemp(dir=work)
    subprocess.run(["debugfs", "-R", f"rdump /log/journal {logs}", part], capture_output=True)
    os.remove(part)
    for boot in ("-1", "-0"):
        shown = subprocess.run(["journalctl", "-D", os.path.join(logs, "journal"), "-b", boot, "--no-pager", "-o", "short-monotonic", "-n", "40"],
                               capture_output=True, text=True)
        print(f"--- the box's journal, boot {boot} (last lines)")
        print("\n".join(l[:220] for l in (shown.stdout or shown.stderr).splitlines()))
    shutil.rmtree(logs)


def data_partition_check(after_cut):
    """e2fsck -f of the data partition of the powered-off disk, on a copy. After a power cut
    the copy's journal is replayed first (as the next boot would), so the check sees what the box
    will mount; the replay itself is no error."""
    part = data_partition_copy()
    if after_cut:
        subprocess.run(["e2fsck", "-E", "journal_only", "-y", part], capture_output=True, text=True)
    fsck = subprocess.run(["e2fsck", "-fn", part], capture_output=True, text=True)
    os.remove(part)
    assert fsck.returncode == 0, fsck.stdout[-300:]
    return fsck.stdout.strip().splitlines()[-1]


def stick_with(*files):
    stick = os.path.join(work, "stick.img")
    if os.path.exists(stick):
        os.remove(stick)
    size = sum(os.path.getsize(f) for f in files) // 1048576 + 64
    sh("mkfs.vfat", "-n", "STICK", "-C", stick, str(size * 1024))
    for f in files:
        sh("mcopy", "-i", stick, f, "::/" + os.path.basename(f))
    return stick


def central_identity():
    """The central office's client certificate and key, as `hotline-central cert create` makes
    them (P-256, clientAuth), for the technician to enrol from the stick."""
    crt, key = os.path.join(work, "central.crt"), os.path.join(work, "central.key")
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
       "-subj", "/CN=central", "-addext", "keyUsage=critical,digitalSignature", "-addext", "extendedKeyUsage=clientAuth",
       "-keyout", key, "-out", crt)
    return crt, key


class Uplink:
    """The central office's side of the uplink: mutual TLS to the box, whose certificate must be
    the one whose fingerprint the first boot printed (the technician read it out)."""

    def __init__(self, crt, key, fingerprint):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE
        self.context.load_cert_chain(crt, key)
        self.fingerprint = fingerprint.replace(":", "").lower()

    def connect(self):
        conn = http.client.HTTPSConnection("127.0.0.1", UPLINK_PORT, context=self.context, timeout=600)
        conn.connect()
        presented = hashlib.sha256(conn.sock.getpeercert(binary_form=True)).hexdigest()
        assert presented == self.fingerprint, f"the box presented {presented}, not the certificate of its first boot"
        return conn

    @staticmethod
    def exchange(conn, method, path, body=None, headers=None):
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        data = reply.read()
        assert reply.status == 200, f"{method} {path}: HTTP {reply.status}: {data[:300]!r}"
        return json.loads(data)

    def push_firmware(self, bundle, piece=16 << 20):
        """PUT /v1/content/firmware a piece at a time from the bytes the box has; after the first
        piece the connection is dropped, as a leased line drops, and a new one goes on from what
        the box says it has. Returns the last reply and the pieces sent."""
        data = open(bundle, "rb").read()
        digest = "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode() + ":"
        sent, reply = 0, {}
        for attempt in range(2):
            conn = self.connect()
            state = self.exchange(conn, "GET", "/v1/content/firmware")
            transfer = state.get("transfer") or {}
            offset = transfer.get("received", 0) if transfer.get("sha256") == hashlib.sha256(data).hexdigest() else 0
            assert attempt == 0 or offset == piece, f"after the drop the box has {offset} bytes, not the {piece} it acknowledged"
            while offset < len(data):
                chunk = data[offset:offset + piece]
                reply = self.exchange(conn, "PUT", "/v1/content/firmware", body=chunk, headers={
                    "Content-Range": f"bytes {offset}-{offset + len(chunk) - 1}/{len(data)}", "Repr-Digest": digest,
                    "Content-Type": "application/octet-stream"})
                sent += 1
                offset = reply["received"]
                if attempt == 0:
                    break
            conn.close()
        assert reply.get("handed_to_rauc"), f"the box did not hand the bundle to RAUC: {reply}"
        return reply, sent


def main():
    # Sparse: the empty slot B and the data partition's free space cost nothing. The box's disk
    # is larger than the image, as an SSD is: the data partition grows into the rest at the
    # first boot.
    sh("cp", "--sparse=always", "--dereference", os.path.join(image_dir, "disk.img"), disk)
    sh("truncate", "-s", "+3G", disk)
    version = open(os.path.join(image_dir, "version")).read().strip()
    # The update bundles, on the stick from the second boot on: a new version, one whose daemon
    # never gets healthy, one signed by another key.
    good = os.path.join(work, "next.raucb")
    broken = os.path.join(work, "broken.raucb")
    stranger = os.path.join(work, "stranger.raucb")
    make = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-test-bundles.sh")
    # Made while the box boots the first time: the stick is plugged in from the second boot on.
    bundles = subprocess.Popen(["nice", "-n", "5", "bash", make, image_dir, version, good, broken, stranger],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    after = os.environ.get("HOTLINE_BOOT_TEST_AFTER")
    waited = time.monotonic()
    while after and not os.path.exists(after) and time.monotonic() - waited < 1200:
        time.sleep(2)
    if after:
        print(f"waited {time.monotonic() - waited:.0f} s for {after}", flush=True)
    box = Box("boot1")
    fingerprint = {}

    def first_boot():
        box.expect(r"uplink certificate created; sha256 ((?:[0-9a-fA-F]{2}:){31}[0-9a-fA-F]{2})")
        fingerprint["sha256"] = box.p.match.group(1)
        box.expect("no console PIN is set on this box yet")
        box.expect("new PIN")
        figures.append(f"boot to the console (TCG): {time.monotonic() - box.started:.0f} s")
        box.send(PIN)
        box.expect("the same PIN again")
        box.send(PIN)
        box.expect("PIN set")
        box.expect("node prefix \\(1-3 digits")
        box.send("571")
        box.expect("node prefix set to 571")
        box.expect("hotline> ")
        return "fingerprint " + fingerprint["sha256"][:23] + "…"
    if not step("first boot: the uplink certificate's fingerprint on the console, then the PIN and the node prefix set at the first login", first_boot):
        return

    def healthy():
        poll(box, "health", lambda t: "healthy:" in t and "unhealthy" not in t, tries=60, every=2)
        figures.append(f"boot to READY (healthy, TCG): {time.monotonic() - box.started:.0f} s")
    step("health: healthy (lines up, case store open), after the restart for the node prefix", healthy)

    def status():
        text = box.ask("status", "lines 4 \\(simulated\\)")
        free = float(re.search(r"disk (-?[0-9.]+) GB free", text + box.p.before).group(1))
        assert free > 1.5, f"the data partition did not grow into the disk: {free} GB free"
        return f"{free} GB free on the data partition, grown into the disk"
    step("status: 4 simulated lines, the data partition grown into the rest of the disk", status)
    step("node: the prefix set at the first login", lambda: box.ask("node", "node prefix 571 \\(set at the console\\)") and None)
    step("lines: every line idle", lambda: box.ask("lines", "line 3: idle") and None)
    step("line test 1: dial tone", lambda: box.ask("line test 1", "line 1: dial tone present") and None)

    def demo_call():
        box.ask("line call 1", "a demo caller calls")
        text = poll(box, "cases", lambda t: "571" in t and "complaint" in t, tries=60, every=5)
        figures.append(f"boot to the first case of an answered simulated call (TCG): {time.monotonic() - box.started:.0f} s")
        return text.strip().splitlines()[-1][:80]
    step("a demo call on line 1 becomes a case shown by `cases`", demo_call)
    step("update status: slot A booted, version " + version,
         lambda: box.ask("update status", r"slot A: " + re.escape(version) + r", [^\r\n]*booted") and None)

    def power_cut():
        box.ask("line call 2", "a demo caller calls")
        # The caller presses 2 twice (the menu, then complaints); the recording starts after the
        # prompt and the beep, about 17 s later, and the caller speaks for 9 s, then presses #.
        poll(box, "lines", lambda t: line_section(t, 2).count("digit 2") >= 2 and "line 2: in call" in t, tries=120, every=1)
        time.sleep(21)
        box.cut_power()
    step("power cut (qemu killed) during a recording on line 2", power_cut)
    step("after the power cut: the data partition checks clean", lambda: data_partition_check(after_cut=True))

    _, bundle_errors = bundles.communicate()
    assert bundles.returncode == 0, "the test bundles could not be made: " + bundle_errors[-300:]
    central_crt, central_key = central_identity()
    stick = stick_with(broken, stranger, central_crt)
    box = Box("boot2", stick=stick)

    def after_power_cut():
        box.login()
        text = poll(box, "cases", lambda t: "(incomplete)" in t)
        number = re.search(r"(\d{8}) complaint \S+ \(incomplete\)", text).group(1)
        shown = box.ask(f"cases show {number}", "file ")
        size = int(re.search(r"file recording \S+ (\d+) bytes", shown + box.p.before).group(1))
        assert size > 8000, f"the partial recording has only {size} bytes"
        return f"case {number}, its partial recording {size} bytes"
    step("after the power cut: the box boots, the cut-off complaint is a case with its partial recording", after_power_cut)

    def refused():
        box.ask("update install /media/usb/stranger.raucb", "installing")
        poll(box, "update status", lambda t: "FAILED" in t, tries=60, every=5)
    step("a bundle signed by another key is refused", refused)

    def uplink_setup():
        box.ask("uplink enrol /media/usb/central.crt", "enrolled ")
        box.ask(f"uplink listen {BOX_ADDRESS}", "uplink set to listen on " + re.escape(BOX_ADDRESS))
        # The box restarts when idle to use both; then it is healthy only with its uplink up.
        poll(box, "uplink", lambda t: f"listening on {BOX_ADDRESS} (set at the console)" in t and "1 central office certificate(s) trusted" in t)
        poll(box, "health", lambda t: "healthy:" in t and "uplink listening" in t and "unhealthy" not in t, tries=60, every=2)
    step("uplink set up at the console: the leased line's address, the central office's certificate enrolled from the stick", uplink_setup)

    boxes = {"now": box}

    def update():
        started = time.monotonic()
        reply, pieces = Uplink(central_crt, central_key, fingerprint["sha256"]).push_firmware(good)
        figures.append(f"update pushed over the uplink ({os.path.getsize(good) >> 20} MiB in {pieces} pieces, qemu's user network, TCG): {time.monotonic() - started:.0f} s")
        poll(box, "update status", lambda t: "done" in t, tries=120, every=5)
        confirm(box, "reboot")
        boxes["now"] = box.rebooted()
        figures.append(f"update pushed over the uplink, to the reboot (TCG): {time.monotonic() - started:.0f} s")
        return reply.get("update", "")[:80]
    step("update pushed over the uplink by the central office, a piece at a time, resumed on a new connection; RAUC installs it", update)

    def new_slot_good():
        box = boxes["now"]
        box.login()
        text = poll(box, "update status", lambda t: version + "+next" in slot_line(t, "B") and "booted" in slot_line(t, "B")
                    and "good" in slot_line(t, "B"), tries=60, every=5)
        figures.append(f"update: reboot to the new slot marked good (TCG): {time.monotonic() - box.started:.0f} s")
        return slots(text)
    step("the box boots the new slot B and marks it good once healthy", new_slot_good)

    def rollback():
        # The broken slot A boots, its daemon keeps failing, hotline-mark-good does not mark it
        # and reboots, and grub, which counted that boot as A's try, boots the good slot B again.
        broken_boot = install_and_reboot(boxes["now"], "broken.raucb")
        box = boxes["now"] = broken_boot.rebooted(1200)
        box.login()
        text = poll(box, "update status", lambda t: "booted" in slot_line(t, "B") and "good" in slot_line(t, "B") and "bad" in slot_line(t, "A"), tries=60, every=5)
        return slots(text)
    step("a broken bundle rolls back by itself to the good slot", rollback)
    box = boxes["now"]
    power_off(box)
    step("after the updates and a shutdown: the data partition checks clean", lambda: data_partition_check(after_cut=False))

try:
    main()
except Exception:
    traceback.print_exc()
    results.append(False)
finally:
    if not (results and all(results)):
        try:
            journal_tail()
        except Exception:
            traceback.print_exc()
    for f in figures:
        print("FIGURE " + f)
    print(f"{results.count(True)} passed, {results.count(False)} failed")
    sys.exit(0 if results and all(results) else 1)
