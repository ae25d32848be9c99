import DSP
import Foundation
import HotlineModel
import IVR
import LineDriver
import Yams

/// Reading a config file: one parser per section, each reporting its problems at file:line to
/// the one reader, so a load lists every problem at once.
extension BoxConfig {
    /// Reads and checks a config file; every problem is reported as file:line.
    package static func load(_ file: String) throws -> BoxConfig {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw SourceError(file: file, line: 0, message: "cannot read the config file")
        }
        let y = YAMLReader(file: file)
        guard let root = y.root(text) else { throw SourceErrors(errors: y.errors) }
        let base = (file as NSString).deletingLastPathComponent
        var c = BoxConfig()
        c.parse(root, y, path: { $0.hasPrefix("/") || base.isEmpty ? $0 : "\(base)/\($0)" })
        if !y.errors.isEmpty { throw SourceErrors(errors: y.errors) }
        return c
    }

    private mutating func parse(_ root: Node, _ y: YAMLReader, path: (String) -> String) {
        var deskInCalendar = false
        var deskHours: (hours: Range<Int>, line: Int)?
        for (key, value, line) in y.pairs(root, what: "config") {
            func text() -> String? { y.string(value, key, in: "config", at: line) }
            switch key {
            case "node_prefix":
                if let s = text() {
                    if let p = NodePrefix(s) { (nodePrefix, nodePrefixSource) = (p, .config) } else { y.fail(value, "node_prefix must be 1-3 digits, not starting with 0") }
                }
            case "data_dir": if let s = text() { dataDirectory = path(s) }
            case "lines": lines = y.int(value, key, in: "config", range: 1...120) ?? lines
            case "demo_traffic": demoTraffic = y.bool(value, key, in: "config") ?? demoTraffic
            case "whole_call_recording": wholeCallRecording = y.bool(value, key, in: "config") ?? wholeCallRecording
            case "fax_ident":
                if let s = text() {
                    if s.count <= 20 && s.allSatisfy(\.isASCII) { faxIdent = s } else { y.fail(value, "fax_ident must be at most 20 ASCII characters") }
                }
            case "flow": if let s = text() { flowFile = path(s) }
            case "prompts": if let s = text() { promptsFile = path(s) }
            case "documents": if let s = text() { documentsDirectory = path(s) }
            case "prompt_cache": if let s = text() { promptCache = path(s) }
            case "control_socket": if let s = text() { controlSocket = path(s) }
            case "metrics_file":
                if let s = text() {
                    if s.hasSuffix(".prom") { metricsFile = path(s) } else { y.fail(value, "metrics_file must end in .prom (node-exporter's textfile collector reads only those)") }
                }
            case "transfer": deskHours = parseTransfer(value, y)
            case "calendar":
                // Services the section leaves out keep their default hours.
                let named = ServiceCalendar.parse(value, y)
                deskInCalendar = named.services[ServiceCalendar.desk] != nil
                calendar = named.filled(from: Self.defaultCalendar)
            case "panel": panel = Self.parsePanel(value, y)
            case "uplink": uplink = UplinkConfig.parse(value, y, path: path)
            case "hardware": hardware = LineHardwareConfig.parse(value, y)
            case "console": parseConsole(value, y)
            case "commands": parseCommands(value, y)
            case "disk": disk.parse(value, y)
            case "supervision": parseSupervision(value, y, at: line)
            case "echo_canceller": parseEchoCanceller(value, y)
            case "outbound": outbound.parse(value, y, path: path)
            default: y.fail(line, "unknown setting \"\(key)\"")
            }
        }
        // `transfer: hours` is the older way to give the desk's hours, every day alike.
        if let deskHours {
            if deskInCalendar {
                y.fail(deskHours.line, "transfer: hours and calendar: services: desk both give the desk's hours; keep the calendar's")
            } else {
                calendar.services[ServiceCalendar.desk] = .everyDay(deskHours.hours)
            }
        }
        // With hardware, the lines are what the hardware section lists.
        switch hardware {
        case .simulated: break
        case .dahdi(let channels): lines = channels.count
        case .alsa(let list, _): lines = list.count
        }
    }

    /// The transfer's settings; the desk's hours if it gives them, with their line.
    private mutating func parseTransfer(_ value: Node, _ y: YAMLReader) -> (Range<Int>, Int)? {
        var deskHours: (Range<Int>, Int)?
        for (k, v, l) in y.pairs(value, what: "transfer") {
            switch k {
            case "number":
                if let s = y.string(v, k, in: "transfer", at: l) {
                    if DialString(s) != nil { transferNumber = s } else { y.fail(v, "transfer number must be DTMF digits (at most 32)") }
                }
            case "method":
                if let s = y.string(v, k, in: "transfer", at: l) {
                    if let m = TransferMethod(rawValue: s) { transferMethod = m } else {
                        y.fail(v, "transfer: method must be \(TransferMethod.allCases.map(\.rawValue).joined(separator: " or ")), not \"\(s)\"")
                    }
                }
            case "hours":
                if let s = y.string(v, k, in: "transfer", at: l), let h = ServiceHours.range(s) { deskHours = (h, l) } else {
                    y.fail(v, "transfer: hours must look like 08:00-18:00 (00:00 to 24:00, ending after it starts)")
                }
            default: y.fail(l, "transfer: unknown key \"\(k)\"")
            }
        }
        return deskHours
    }

    private mutating func parseEchoCanceller(_ value: Node, _ y: YAMLReader) {
        let s = "echo_canceller"
        for (k, v, l) in y.pairs(value, what: s) {
            switch k {
            case "tail": echoCanceller.tailMs = y.duration(v, k, in: s, range: 8...128) ?? echoCanceller.tailMs
            case "lines":
                for (line, state, at) in y.pairs(v, what: "\(s) lines") {
                    guard let n = Int(line), (0..<64).contains(n) else { y.fail(at, "\(s): line \"\(line)\" must be a line number, 0 for the first"); continue }
                    if let on = y.bool(state, "line \(n)", in: s) { echoCanceller.lines[n] = on }
                }
            default: y.fail(l, "\(s): unknown key \"\(k)\"")
            }
        }
    }

    private static func parsePanel(_ value: Node, _ y: YAMLReader) -> PanelConfig {
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
        return p
    }

    private mutating func parseConsole(_ value: Node, _ y: YAMLReader) {
        for (k, v, l) in y.pairs(value, what: "console") {
            switch k {
            case "pin_hash":
                if let s = y.string(v, k, in: "console", at: l) {
                    if PINHash.isWellFormed(s) { consolePINHash = s } else { y.fail(v, "console: pin_hash is not a hash made by `appliance console --hash-pin`") }
                }
            case "lockout_after": consoleLockoutAfter = y.int(v, k, in: "console", range: 1...20) ?? consoleLockoutAfter
            case "lockout": consoleLockoutSeconds = (y.duration(v, k, in: "console", range: 10_000...86_400_000) ?? consoleLockoutSeconds * 1000) / 1000
            default: y.fail(l, "console: unknown key \"\(k)\"")
            }
        }
    }

    private mutating func parseCommands(_ value: Node, _ y: YAMLReader) {
        for (k, v, l) in y.pairs(value, what: "commands") {
            let argv = v.sequence?.compactMap(\.string) ?? v.string.map { $0.split(separator: " ").map(String.init) } ?? []
            guard let first = argv.first, first.hasPrefix("/") else { y.fail(v, "commands: \(k) must be an absolute command"); continue }
            switch k {
            case "reboot": rebootCommand = argv
            case "shutdown": shutdownCommand = argv
            default: y.fail(l, "commands: unknown key \"\(k)\"")
            }
        }
    }

    private mutating func parseSupervision(_ value: Node, _ y: YAMLReader, at line: Int) {
        let s = "supervision"
        for (k, v, l) in y.pairs(value, what: s) {
            switch k {
            case "answer_after_rings": supervision.answerAfterRings = y.int(v, k, in: s, range: 1...10) ?? supervision.answerAfterRings
            case "caller_id":
                switch v.string {
                case "bell202", "fsk": supervision.callerID = .fskAfterFirstRing(.bell202)
                case "v23": supervision.callerID = .fskAfterFirstRing(.v23)
                case "dtmf": supervision.callerID = .dtmfBeforeRing
                case "none": supervision.callerID = .none
                default: y.fail(v, "caller_id must be bell202, v23, dtmf or none")
                }
            case "ring_timeout": supervision.ringTimeoutMs = y.duration(v, k, in: s, range: 5000...30_000) ?? supervision.ringTimeoutMs
            case "loop_drop_debounce": supervision.loopDropDebounceMs = y.duration(v, k, in: s, range: 0...2000) ?? supervision.loopDropDebounceMs
            case "hangup_on_polarity_reversal": supervision.hangUpOnPolarityReversal = y.bool(v, k, in: s) ?? supervision.hangUpOnPolarityReversal
            case "hangup_on_busy_tone": supervision.hangUpOnBusyTone = y.bool(v, k, in: s) ?? supervision.hangUpOnBusyTone
            case "silence_timeout": supervision.silenceTimeoutMs = y.duration(v, k, in: s, range: 0...600_000) ?? supervision.silenceTimeoutMs
            case "max_call": supervision.maxCallMs = y.duration(v, k, in: s, range: 60_000...7_200_000) ?? supervision.maxCallMs
            default: y.fail(l, "supervision: unknown key \"\(k)\"")
            }
        }
        for problem in supervision.problems() { y.fail(line, "supervision: \(problem)") }
    }
}
