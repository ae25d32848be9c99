import Foundation
import Synchronization
import SystemSupport

/// Firmware updates through RAUC, off the call path: `rauc install` runs as a child process the
/// control socket's worker starts and never waits for, so a bundle that takes minutes to check
/// and write holds no thread that answers calls or technicians. RAUC checks the signature
/// against the box's keyring, writes the other slot and makes it the bootloader's first choice;
/// the box boots it at the next reboot and marks it good only when healthy
/// (hotline-mark-good.service), else the bootloader falls back.
package final class UpdateInstaller: Sendable {
    package struct Tools: Sendable {
        package var rauc = "/usr/bin/rauc"
        /// RAUC's slots; a machine with the tool but without them (a package install) has no slots to update.
        package var systemConfig = "/etc/rauc/system.conf"
        /// Where a technician's USB stick is mounted (image/rootfs: udev mounts it read-only).
        package var stick = "/media/usb"
        package init() {}
    }

    private struct Run: Sendable {
        let bundle: String
        let output: String
        let started: Double
        var exitStatus: Int32?
    }

    private let tools: Tools
    private let scratch: String
    private let current = Mutex<Run?>(nil)
    /// The slots as RAUC last said them, for `health` (which hotline-mark-good asks every 2 s:
    /// it should not start RAUC each time). Which one is booted cannot change before the next
    /// boot, nor their versions before an install ends, which forgets them.
    private let known = Mutex<SlotStatus?>(nil)
    private static let unavailable = "updates: no RAUC on this box (installed from the Debian package: update it with apt)"

    /// `scratch` holds the output of the install in progress.
    package init(tools: Tools = Tools(), scratch: String) {
        self.tools = tools
        self.scratch = scratch
    }

    package var available: Bool {
        FileManager.default.isExecutableFile(atPath: tools.rauc) && FileManager.default.fileExists(atPath: tools.systemConfig)
    }

    /// The slots and the last install's progress or result.
    package func status() -> String {
        guard available else { return Self.unavailable }
        let run = current.withLock { $0 }
        var lines: [String]
        if let run, run.exitStatus == nil {
            // RAUC answers nothing else while it installs.
            lines = ["slots: shown when the install has ended"]
        } else {
            do { lines = try slots().lines } catch { lines = ["\(error)"] }
        }
        if let run {
            let tail = (try? String(contentsOfFile: run.output, encoding: .utf8))?.split(separator: "\n").last.map(String.init) ?? ""
            switch run.exitStatus {
            case nil: lines.append("install of \(run.bundle): running for \(Int(BootClock.seconds() - run.started)) s \(tail)")
            case 0: lines.append("install of \(run.bundle): done; `reboot confirm` starts it")
            case let status?: lines.append("install of \(run.bundle): FAILED (rauc exit status \(status)): \(tail)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// What RAUC says of the slots now.
    package func slots() throws -> SlotStatus {
        // One file per ask: `health` (hotline-mark-good) and the console's `update status` ask at once.
        let output = "\(scratch)/rauc-status-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: output) }
        try ToolRun.run(tools.rauc, ["status", "--detailed", "--output-format=json"], limit: 30, errorFile: output + ".err", outputFile: output)
        let status = try SlotStatus(raucJSON: try Data(contentsOf: URL(fileURLWithPath: output)))
        known.withLock { $0 = status }
        return status
    }

    /// The slots RAUC said last, asked when it has not said them yet; nil without RAUC or when it
    /// cannot say (an install is running: asked again next time).
    private var lastKnown: SlotStatus? {
        guard available else { return nil }
        return known.withLock({ $0 }) ?? (try? slots())
    }

    /// The booted slot's bootname (A, B).
    package var bootedSlot: String? { lastKnown?.booted?.bootname }

    /// Both slots' versions and the booted one, for `health`: `slots A 0.15.0 (booted), B 0.16.0`.
    package var slotVersions: String? {
        guard let status = lastKnown, !status.slots.isEmpty else { return nil }
        return "slots " + status.slots.map { "\($0.bootname) \($0.version ?? "as flashed")" + ($0.booted ? " (booted)" : "") }.joined(separator: ", ")
    }

    /// Whether RAUC's last install was of `bundle` and it refused or failed it.
    package func failed(_ bundle: String) -> Bool {
        current.withLock { run in run.map { $0.bundle == bundle && ($0.exitStatus ?? 0) != 0 } ?? false }
    }

    /// Whether an install began, and what to tell whoever asked.
    package struct Start: Sendable {
        package var began: Bool
        package var message: String
    }

    /// Starts installing `path`, or the one bundle (*.raucb) on the USB stick; a bundle pushed
    /// over the uplink is deleted once RAUC has ended (`discardWhenDone`), whatever it said.
    package func install(_ path: String?, discardWhenDone: Bool = false) -> Start {
        let message = startInstall(path, discardWhenDone: discardWhenDone)
        return Start(began: message.hasPrefix(Self.installing), message: message)
    }

    private static let installing = "installing "

    private func startInstall(_ path: String?, discardWhenDone: Bool) -> String {
        guard available else { return Self.unavailable }
        let bundle: String
        if let path {
            bundle = path
        } else {
            let found = ((try? FileManager.default.contentsOfDirectory(atPath: tools.stick)) ?? []).filter { $0.hasSuffix(".raucb") }.sorted()
            switch found.count {
            case 0: return "no update bundle (*.raucb) on the USB stick at \(tools.stick); is it plugged in?"
            case 1: bundle = "\(tools.stick)/\(found[0])"
            default: return "\(found.count) bundles on the USB stick (\(found.joined(separator: ", "))); name one: update install PATH"
            }
        }
        guard FileManager.default.isReadableFile(atPath: bundle) else { return "cannot read \(bundle)" }
        return current.withLock { run -> String in
            if let run, run.exitStatus == nil { return "an install is running already (\(run.bundle)); see update status" }
            let output = "\(scratch)/update-install.log"
            FileManager.default.createFile(atPath: output, contents: nil)
            guard let log = FileHandle(forWritingAtPath: output) else { return "cannot write \(output)" }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tools.rauc)
            process.arguments = ["install", bundle]
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            process.terminationHandler = { [weak self] p in
                try? log.close()
                if discardWhenDone { try? FileManager.default.removeItem(atPath: bundle) }
                self?.known.withLock { $0 = nil }
                self?.current.withLock { $0?.exitStatus = p.terminationStatus }
            }
            do { try process.run() } catch { return "cannot run \(tools.rauc): \(error)" }
            run = Run(bundle: bundle, output: output, started: BootClock.seconds())
            return Self.installing + "\(bundle); `update status` shows how far it is"
        }
    }
}
