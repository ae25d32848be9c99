import DSP
import Foundation
import HotlineModel
import IVR
import LineDriver
import LocalDB
import SystemSupport
import Yams

/// The box's settings, from a YAML file (docs/CONFIG.md) or the embedded defaults: 4 simulated
/// lines, data under ./var, demo traffic.
package struct BoxConfig: Sendable {
    package var nodePrefix = NodePrefix("1")!
    package var dataDirectory = "var"
    package var lines = 4
    package var demoTraffic = true
    package var wholeCallRecording = true
    package var transferNumber: String?
    /// Manual service hours, minutes since midnight local time (start, end).
    package var transferHours: (start: Int, end: Int) = (8 * 60, 18 * 60)
    package var faxIdent = "12345 HOTLINE"
    package var flowFile = "flows/seed.yaml"
    package var promptsFile = "prompts/cmn.yaml"
    package var documentsDirectory = "documents"
    /// Where the spoken prompt pack is kept; default DATA_DIR/prompts/cmn.
    package var promptCache: String?
    package var supervision = SupervisionConfig()
    /// The control socket (default DATA_DIR/control.sock).
    package var controlSocket: String?
    /// The technicians' PIN for the serial console, hashed (`appliance console --hash-pin`).
    package var consolePINHash: String?
    package var consoleLockoutAfter = 5
    package var consoleLockoutSeconds = 300
    package var rebootCommand = ["/bin/systemctl", "reboot"]
    package var shutdownCommand = ["/bin/systemctl", "poweroff"]

    package var uplink = UplinkConfig()
    /// Where the lines are: the simulated exchange, a DAHDI card, or an ALSA codec with GPIO.
    package var hardware = LineHardware.simulated

    package enum LineHardware: Sendable {
        case simulated
        case dahdi([DahdiBackend.Channel])
        case alsa([AlsaGpioBackend.Line], pacedByDevice: Bool)

        package var name: String {
            switch self {
            case .simulated: "simulated"
            case .dahdi: "DAHDI"
            case .alsa: "ALSA+GPIO"
            }
        }
    }

    /// Front-panel GPIO line names (libgpiod); nil when the box has no panel.
    package var panel: PanelConfig?

    package struct PanelConfig: Sendable {
        package var power: String?
        package var sync: String?
        package var fault: String?
        package var lines: [String] = []
        package var button: String?
        package var restartHoldSeconds = 3.0
    }

    package init() {}

    package var controlSocketPath: String { controlSocket ?? "\(dataDirectory)/control.sock" }

    package func transferAvailable(at timestamp: String) -> Bool {
        guard transferNumber != nil else { return false }
        let time = ISO8601DateFormatter().date(from: String(timestamp.prefix(19)) + "Z") ?? Date()
        let parts = Calendar(identifier: .gregorian).dateComponents(in: .current, from: time)
        let minutes = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        return minutes >= transferHours.start && minutes < transferHours.end
    }

    /// The config a command was given, or the embedded defaults; a bad file is the command's
    /// error, with every problem as file:line.
    package static func forCommand(_ file: String?) throws(CommandFailure) -> BoxConfig {
        do { return try file.map(load) ?? BoxConfig() } catch { throw CommandFailure("\(error)") }
    }

    /// Reads and checks a config file; every problem is reported as file:line.
    package static func load(_ file: String) throws -> BoxConfig {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw SourceError(file: file, line: 0, message: "cannot read the config file")
        }
        let y = YAMLReader(file: file)
        var c = BoxConfig()
        let base = (file as NSString).deletingLastPathComponent
        func path(_ p: String) -> String { p.hasPrefix("/") || base.isEmpty ? p : "\(base)/\(p)" }
        guard let root = y.root(text) else { throw SourceErrors(errors: y.errors) }
        for (key, value, line) in y.pairs(root, what: "config") {
            switch key {
            case "node_prefix":
                if let s = y.string(value, key, in: "config", at: line) {
                    if let p = NodePrefix(s) { c.nodePrefix = p } else { y.fail(value, "node_prefix must be 1-3 digits, not starting with 0") }
                }
            case "data_dir": if let s = y.string(value, key, in: "config", at: line) { c.dataDirectory = path(s) }
            case "lines": c.lines = y.int(value, key, in: "config", range: 1...120) ?? c.lines
            case "demo_traffic": c.demoTraffic = y.bool(value, key, in: "config") ?? c.demoTraffic
            case "whole_call_recording": c.wholeCallRecording = y.bool(value, key, in: "config") ?? c.wholeCallRecording
            case "fax_ident":
                if let s = y.string(value, key, in: "config", at: line) {
                    if s.count <= 20 && s.allSatisfy(\.isASCII) { c.faxIdent = s } else { y.fail(value, "fax_ident must be at most 20 ASCII characters") }
                }
            case "flow": if let s = y.string(value, key, in: "config", at: line) { c.flowFile = path(s) }
            case "prompts": if let s = y.string(value, key, in: "config", at: line) { c.promptsFile = path(s) }
            case "documents": if let s = y.string(value, key, in: "config", at: line) { c.documentsDirectory = path(s) }
            case "prompt_cache": if let s = y.string(value, key, in: "config", at: line) { c.promptCache = path(s) }
            case "transfer":
                for (k, v, l) in y.pairs(value, what: "transfer") {
                    switch k {
                    case "number":
                        if let s = y.string(v, k, in: "transfer", at: l) {
                            if DialString(s) != nil { c.transferNumber = s } else { y.fail(v, "transfer number must be DTMF digits (at most 32)") }
                        }
                    case "hours":
                        if let s = y.string(v, k, in: "transfer", at: l), let h = hours(s) { c.transferHours = h } else { y.fail(v, "hours must look like 08:00-18:00") }
                    default: y.fail(l, "transfer: unknown key \"\(k)\"")
                    }
                }
            case "panel":
                var p = PanelConfig()
                for (k, v, l) in y.pairs(value, what: "panel") {
                    switch k {
                    case "power": p.power = y.string(v, k, in: "panel", at: l)
                    case "sync": p.sync = y.string(v, k, in: "panel", at: l)
                    case "fault": p.fault = y.string(v, k, in: "panel", at: l)
                    case "button": p.button = y.string(v, k, in: "panel", at: l)
                    case "lines":
                        if let list = v.sequence { p.lines = list.compactMap { y.string($0, k, in: "panel", at: l) } } else { y.fail(v, "panel: lines must be a list of GPIO line names") }
                    case "restart_hold": p.restartHoldSeconds = Double(y.duration(v, k, in: "panel", range: 1000...30_000) ?? 3000) / 1000
                    default: y.fail(l, "panel: unknown key \"\(k)\"")
                    }
                }
                c.panel = p
            case "uplink": c.uplink = UplinkConfig.parse(value, y, path: path)
            case "hardware": c.hardware = LineHardwareConfig.parse(value, y)
            case "control_socket": if let s = y.string(value, key, in: "config", at: line) { c.controlSocket = path(s) }
            case "console":
                for (k, v, l) in y.pairs(value, what: "console") {
                    switch k {
                    case "pin_hash":
                        if let s = y.string(v, k, in: "console", at: l) {
                            if PINHash.isWellFormed(s) { c.consolePINHash = s } else { y.fail(v, "console: pin_hash is not a hash made by `appliance console --hash-pin`") }
                        }
                    case "lockout_after": c.consoleLockoutAfter = y.int(v, k, in: "console", range: 1...20) ?? c.consoleLockoutAfter
                    case "lockout": c.consoleLockoutSeconds = (y.duration(v, k, in: "console", range: 10_000...86_400_000) ?? c.consoleLockoutSeconds * 1000) / 1000
                    default: y.fail(l, "console: unknown key \"\(k)\"")
                    }
                }
            case "commands":
                for (k, v, l) in y.pairs(value, what: "commands") {
                    let argv = v.sequence?.compactMap(\.string) ?? v.string.map { $0.split(separator: " ").map(String.init) } ?? []
                    guard let first = argv.first, first.hasPrefix("/") else { y.fail(v, "commands: \(k) must be an absolute command"); continue }
                    _ = first
                    switch k {
                    case "reboot": c.rebootCommand = argv
                    case "shutdown": c.shutdownCommand = argv
                    default: y.fail(l, "commands: unknown key \"\(k)\"")
                    }
                }
            case "supervision":
                for (k, v, l) in y.pairs(value, what: "supervision") {
                    let s = "supervision"
                    switch k {
                    case "answer_after_rings": c.supervision.answerAfterRings = y.int(v, k, in: s, range: 1...10) ?? c.supervision.answerAfterRings
                    case "caller_id":
                        switch v.string {
                        case "bell202", "fsk": c.supervision.callerID = .fskAfterFirstRing(.bell202)
                        case "v23": c.supervision.callerID = .fskAfterFirstRing(.v23)
                        case "dtmf": c.supervision.callerID = .dtmfBeforeRing
                        case "none": c.supervision.callerID = .none
                        default: y.fail(v, "caller_id must be bell202, v23, dtmf or none")
                        }
                    case "ring_timeout": c.supervision.ringTimeoutMs = y.duration(v, k, in: s, range: 5000...30_000) ?? c.supervision.ringTimeoutMs
                    case "loop_drop_debounce": c.supervision.loopDropDebounceMs = y.duration(v, k, in: s, range: 0...2000) ?? c.supervision.loopDropDebounceMs
                    case "hangup_on_polarity_reversal": c.supervision.hangUpOnPolarityReversal = y.bool(v, k, in: s) ?? c.supervision.hangUpOnPolarityReversal
                    case "hangup_on_busy_tone": c.supervision.hangUpOnBusyTone = y.bool(v, k, in: s) ?? c.supervision.hangUpOnBusyTone
                    case "silence_timeout": c.supervision.silenceTimeoutMs = y.duration(v, k, in: s, range: 0...600_000) ?? c.supervision.silenceTimeoutMs
                    case "max_call": c.supervision.maxCallMs = y.duration(v, k, in: s, range: 60_000...7_200_000) ?? c.supervision.maxCallMs
                    default: y.fail(l, "supervision: unknown key \"\(k)\"")
                    }
                }
                for problem in c.supervision.problems() { y.fail(line, "supervision: \(problem)") }
            default:
                y.fail(line, "unknown setting \"\(key)\"")
            }
        }
        // With hardware, the lines are what the hardware section lists.
        switch c.hardware {
        case .simulated: break
        case .dahdi(let channels): c.lines = channels.count
        case .alsa(let lines, _): c.lines = lines.count
        }
        if !y.errors.isEmpty { throw SourceErrors(errors: y.errors) }
        return c
    }

    private static func hours(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "-").map { $0.split(separator: ":").compactMap { Int($0) } }
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && (0...23).contains($0[0]) && (0...59).contains($0[1]) }) else { return nil }
        return (parts[0][0] * 60 + parts[0][1], parts[1][0] * 60 + parts[1][1])
    }
}
