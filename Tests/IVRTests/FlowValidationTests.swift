import Box
import Foundation
import HotlineModel
import IVR
import SystemTestSupport
import Testing
import TestSupport

@Suite(.tags(.unit)) struct FlowValidationTests {
    static let prompts: Set<String> = ["welcome", "auto_menu", "goodbye", "invalid_key", "no_input", "info_policy", "fax_start"]

    func errors(_ yaml: String) -> [String] {
        switch FlowLoader.parse(yaml, file: "flow.yaml", prompts: Self.prompts, documents: ["policy"]) {
        case .success: []
        case .failure(let e): e.errors.map(\.description)
        }
    }

    @Test func theSeedFlowIsValid() throws {
        let prompts = try PromptLibrary.texts("\(SimulationRig.repository)/prompts/cmn.yaml")
        // Beside the pack, the box speaks the beep and each calendar service's hours itself.
        let generated = Set(BoxConfig.defaultCalendar.hoursPromptTexts.keys).union([PromptLibrary.beepName])
        let flow = FlowLoader.load(file: "\(SimulationRig.repository)/flows/seed.yaml", prompts: Set(prompts.keys).union(generated),
                                   documents: ["policy", "city", "procedures", "investment", "departments", "news"])
        #expect(throws: Never.self) { try flow.get() }
    }

    /// 12345 takes no emergencies, and the national rules want callers told so at the welcome.
    @Test func theWelcomeSendsEmergenciesElsewhere() throws {
        let welcome = try #require(try PromptLibrary.texts("\(SimulationRig.repository)/prompts/cmn.yaml")["welcome"])
        #expect(welcome.contains("紧急情况请拨打110、119、120"))
    }

    /// Menus give up to `goodbye` unless told otherwise, so a flow without one says so.
    @Test func aMenuNeedsSomewhereToGiveUpTo() {
        #expect(errors("""
            flow: t
            start: a
            nodes:
              a:
                menu: {prompt: welcome, keys: {"1": a}}
            """) == ["flow.yaml:4: a: leads to \"goodbye\", which is not a node"])
    }

    /// A record node plays invalid_key and please_note and gives up to goodbye on its own; a
    /// flow whose prompt pack lacks them is refused at load, not found silent on a call.
    @Test(arguments: ["invalid_key", "please_note"])
    func promptsTheInterpreterPlaysOnItsOwnAreChecked(missing: String) {
        let yaml = """
            flow: t
            start: r
            nodes:
              r:
                record: {case: complaint, intro: welcome, next: goodbye, cancelled: goodbye}
              goodbye:
                hangup: {prompt: goodbye}
            """
        let prompts = ["welcome", "goodbye", "invalid_key", "no_input", "please_note", "record_confirm", "record_too_short", "record_cancelled", "your_number_is"]
        let result = FlowLoader.parse(yaml, file: "flow.yaml", prompts: Set(prompts).subtracting([missing]), documents: [])
        let problems = (try? result.get()).map { _ in [String]() } ?? { if case .failure(let e) = result { e.errors.map(\.description) } else { [] } }()
        #expect(problems == ["flow.yaml:4: r: unknown prompt \"\(missing)\""])
    }

    /// beep and end_on_hash go through the one boolean reader: anything but true/false (yes/no,
    /// on/off) is a problem at its line, not silently false.
    @Test(arguments: ["beep", "end_on_hash"])
    func recordSwitchesAreBooleans(field: String) {
        #expect(errors("""
            flow: t
            start: r
            nodes:
              r:
                record:
                  case: complaint
                  intro: welcome
                  next: goodbye
                  cancelled: goodbye
                  \(field): maybe
              goodbye:
                hangup: {prompt: goodbye}
            """).contains("flow.yaml:10: r (record): \"\(field)\" must be true or false"))
    }

    @Test func anUnknownPromptIsNamedWithItsLine() {
        #expect(errors("""
            flow: t
            start: a
            nodes:
              a:
                menu: {prompt: wellcome, keys: {"1": goodbye}}
              goodbye:
                hangup: {prompt: goodbye}
            """) == ["flow.yaml:4: a: unknown prompt \"wellcome\""])
    }

    @Test func anUnreachableNodeIsReported() {
        #expect(errors("""
            flow: t
            start: a
            nodes:
              a:
                hangup: {prompt: goodbye}
              orphan:
                play: {prompt: welcome, next: a}
            """) == ["flow.yaml:6: orphan: unreachable from \"a\""])
    }

    @Test func aDuplicateKeyIsReportedWhereItIsRepeated() {
        #expect(errors("""
            flow: t
            start: a
            nodes:
              a:
                menu:
                  prompt: welcome
                  keys:
                    "1": goodbye
                    "1": a
              goodbye:
                hangup: {}
            """) == ["flow.yaml:8: duplicate key \"1\" in the mapping that starts here"])
    }

    @Test func aMissingBranchIsReported() {
        #expect(errors("""
            flow: t
            start: a
            nodes:
              a:
                menu: {prompt: welcome, keys: {"1": nowhere}, on_fail: a}
            """) == ["flow.yaml:4: a: leads to \"nowhere\", which is not a node"])
        #expect(errors("""
            flow: t
            start: a
            nodes:
              a:
                play: {prompt: welcome}
            """) == ["flow.yaml:4: a (play): missing \"next\"", "flow.yaml:4: a: leads to \"\", which is not a node"])
    }

    @Test func otherMistakesAreNamedToo() {
        let found = errors("""
            flow: t
            start: a
            nodes:
              a:
                menu: {prompt: welcome, keys: {"x": a}, timeout: soon}
              b:
                fax_send: {document: brochure, next: a}
              c:
                dance: {}
            """)
        #expect(found.contains("flow.yaml:5: a (menu): key \"x\" is not a phone key"))
        #expect(found.contains("flow.yaml:5: a (menu): \"timeout\" must be a duration like 500ms, 5s or 3m, from 1000 ms to 60000 ms"))
        #expect(found.contains("flow.yaml:7: b (fax_send): unknown document \"brochure\""))
        #expect(found.contains("flow.yaml:8: c: unknown node kind \"dance\""))
    }

    /// A duration that is not a finite number of a sane size is a problem at its line, never a
    /// trap when the flow is loaded (NaN, infinity and 1e300 s crashed the box on 429158c).
    @Test(arguments: ["nan", "inf", "-inf", "1e300s", "1e300", "9.3e18ms", ".nan", "NaNs"])
    func aDurationMustBeAFiniteNumber(value: String) {
        #expect(errors("""
            flow: t
            start: a
            nodes:
              a:
                menu: {prompt: welcome, keys: {"1": goodbye}, timeout: \(value)}
              goodbye:
                hangup: {prompt: goodbye}
            """) == ["flow.yaml:5: a (menu): \"timeout\" must be a duration like 500ms, 5s or 3m, from 1000 ms to 60000 ms"])
    }

    /// Anchors and aliases are refused at their line before the text is composed: aliases used
    /// as mapping keys made composing exponential (a 547-byte "billion laughs" held a core).
    @Test(arguments: [
        ("a: &x [1]\nb: *x\n", 1),
        ("nodes:\n  - &n {k: v}\n", 2),
        ("k: {x: *y}\n", 1),
        ("*x : 1\n", 1),
        ("? *x\n: 1\n", 1),
        ("a: [x, &y z]\n", 1),
    ])
    func anchorsAndAliasesAreRefused(yaml: String, line: Int) {
        let found = errors(yaml)
        #expect(found.count == 1 && found.first?.hasPrefix("flow.yaml:\(line): YAML anchors and aliases") == true, "\(found)")
    }

    @Test func aBillionLaughsIsRefusedAtOnce() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<12 { yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        yaml += "? *a11\n: boom\n"
        let started = ContinuousClock.now
        #expect(errors(yaml) == ["flow.yaml:1: YAML anchors and aliases (&a0) are not accepted: write the value out"])
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    /// What only looks like an anchor or alias is text: a quoted "*" key, & inside a text, a *
    /// that does not start a value, and block scalar lines.
    @Test func textThatLooksLikeAnAliasIsText() {
        #expect(errors("""
            flow: t
            start: a
            nodes:
              a:
                menu: {prompt: welcome, keys: {"1": goodbye, "*": a, '#': goodbye}, invalid: invalid_key}  # & * in a comment
              goodbye:
                hangup: {prompt: goodbye}
            """).isEmpty)
        let texts = "x: Tom & Jerry\ny: 12*\nz: |\n  *starred line\n  &also text\nw: \"*quoted\"\n"
        #expect(YAMLAliasGuard.firstAnchorOrAlias(in: texts) == nil)
    }

    /// A flow may name other entries (a call-back for a survey alone starts at `survey`): each
    /// must be a node, counts as reachable, and a call naming no entry of the flow starts at `start`.
    @Test func entriesStartCallsElsewhere() throws {
        let yaml = """
            flow: f
            start: a
            entries: {survey: b}
            nodes:
              a: {hangup: {prompt: goodbye}}
              b: {hangup: {prompt: welcome}}
            """
        let flow = try FlowLoader.parse(yaml, file: "f.yaml", prompts: Self.prompts, documents: []).get()
        #expect(flow.startNode("survey") == "b" && flow.startNode("result") == "a" && flow.startNode(nil) == "a")
        let run = FlowRun(flow: flow, context: FlowContext(isOpen: { _, _ in true }, transferNumber: nil, entry: "survey"))
        #expect(run.handle(.start, at: 0).contains(.visited("b")))
        let bad = errors(yaml.replacingOccurrences(of: "{survey: b}", with: "{survey: nowhere}"))
        #expect(bad.contains { $0.contains("entries: survey starts at \"nowhere\", which is not a node") }, "\(bad)")
    }

    @Test func notYAMLAtAll() {
        let found = errors("flow: [unclosed\nstart: a\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("flow.yaml:") == true)
        #expect(found.first?.contains("not valid YAML") == true)
    }

    /// A bad flow pushed over a good one is refused; calls keep using the old one.
    @Test func aBadReloadKeepsTheRunningFlow() throws {
        let data = try ScratchDirectory()
        try FileManager.default.copyItem(atPath: "\(SimulationRig.repository)/flows/seed.yaml", toPath: data.path("flow.yaml"))
        var config = try SimulationRig.config(data: data.path("box"))
        config.flowFile = data.path("flow.yaml")
        let runtime = try BoxRuntime(config: config, realTime: false, log: { _, _ in })
        defer { runtime.shutdown() }
        try "flow: broken\nstart: nowhere\nnodes: {}\n".write(toFile: data.path("flow.yaml"), atomically: true, encoding: .utf8)
        guard case .failure(let problems) = runtime.reloadFlow() else {
            Issue.record("a broken flow was accepted")
            return
        }
        #expect(problems.description.contains("start node \"nowhere\" is not a node"))
        #expect(runtime.switchboard.flow.name == "seed-12345")
        // A good edit is taken.
        let good = try String(contentsOfFile: "\(SimulationRig.repository)/flows/seed.yaml", encoding: .utf8).replacingOccurrences(of: "flow: seed-12345", with: "flow: edited")
        try good.write(toFile: data.path("flow.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: Never.self) { try runtime.reloadFlow().get() }
        #expect(runtime.switchboard.flow.name == "edited")
    }
}

/// A config file with this text, loaded as the box loads it.
func loadConfig(_ yaml: String) throws -> BoxConfig {
    let data = try ScratchDirectory()
    try yaml.write(toFile: data.path("box.yaml"), atomically: true, encoding: .utf8)
    return try BoxConfig.load(data.path("box.yaml"))
}

@Suite(.tags(.unit)) struct BoxConfigTests {
    func load(_ yaml: String) throws -> BoxConfig { try loadConfig(yaml) }

    /// The box's echo canceller runs on ALSA and simulated lines unless a line says off, and on
    /// DAHDI lines only where one says on (the kernel has its own); mistakes are at their line.
    @Test func theEchoCancellerIsOnWhereNoHardwareCancels() throws {
        let c = try load("echo_canceller:\n  tail: 48ms\n  lines: {\"1\": off, \"3\": on}\n")
        #expect(c.echoCanceller.tailMs == 48)
        #expect(c.echoCanceller.channels(.simulated, count: 4) == [0, 2, 3])
        #expect(c.echoCanceller.channels(.alsa, count: 2) == [0])
        #expect(c.echoCanceller.channels(.dahdi, count: 4) == [3])
        #expect(BoxConfig().echoCanceller.channels(.dahdi, count: 4).isEmpty)
        for (yaml, line, message) in [("echo_canceller: {tail: 2s}\n", 1, "tail"), ("echo_canceller:\n  lines: {\"x\": on}\n", 2, "line number"),
                                      ("echo_canceller:\n  lines:\n    \"0\": maybe\n", 3, "true or false")] {
            let error = #expect(throws: SourceErrors.self) { try load(yaml) }
            #expect(error?.errors.contains { $0.line == line && $0.message.contains(message) } == true, "\(String(describing: error))")
        }
    }

    @Test func settingsAreRead() throws {
        let c = try load("""
            node_prefix: "37"
            lines: 2
            whole_call_recording: false
            transfer: {number: "8001", hours: "09:00-17:30"}
            supervision:
              answer_after_rings: 3
              silence_timeout: 20s
            """)
        #expect(c.nodePrefix.digits == "37" && c.lines == 2 && !c.wholeCallRecording)
        #expect(c.transferNumber == "8001" && c.calendar.services[ServiceCalendar.desk] == .everyDay(540..<1050))
        #expect(c.supervision.answerAfterRings == 3 && c.supervision.silenceTimeoutMs == 20_000)
    }

    /// The outbound queue's settings, and each out of its range at its line.
    @Test func outboundSettingsAreReadAndBounded() throws {
        let c = try load("outbound:\n  attempts: 5\n  retry_after: 30m\n  expires_after: 1d\n  no_answer: 30s\n  keep_free_lines: 0\n  quiet_after_ring: 0s\n")
        #expect(c.outbound.attempts == 5 && c.outbound.retryAfterSeconds == 1800 && c.outbound.expiresAfterSeconds == 86_400)
        #expect(c.outbound.noAnswerMs == 30_000 && c.outbound.keepFreeLines == 0 && c.outbound.quietAfterRingMs == 0)
        #expect(BoxConfig().outbound.quietAfterRingMs == 60_000)
        for (value, key) in [("attempts: 0", "attempts"), ("retry_after: 10s", "retry_after"), ("expires_after: 90d", "expires_after"),
                             ("no_answer: 5s", "no_answer"), ("keep_free_lines: -1", "keep_free_lines"), ("quiet_after_ring: 11m", "quiet_after_ring")] {
            let error = #expect(throws: SourceErrors.self) { try load("outbound:\n  \(value)\n") }
            #expect(error?.errors.contains { $0.line == 2 && $0.message.contains(key) } == true, "\(String(describing: error))")
        }
    }

    /// The config's durations go through the same checked reading: every one of these is a
    /// file:line problem, not a trap at start-up.
    @Test(arguments: [("supervision", "silence_timeout"), ("supervision", "ring_timeout"), ("supervision", "max_call"),
                      ("console", "lockout"), ("panel", "restart_hold"), ("outbound", "retry_after"), ("outbound", "expires_after"),
                      ("outbound", "no_answer"), ("outbound", "quiet_after_ring")])
    func configDurationsMustBeFinite(section: String, key: String) throws {
        for value in ["nan", "inf", "1e300s"] {
            let error = #expect(throws: SourceErrors.self) { try load("\(section):\n  \(key): \(value)\n") }
            #expect(error?.errors.map(\.line) == [2], "\(key): \(value)")
            #expect(error?.description.contains("\"\(key)\" must be a duration") == true, "\(error?.description ?? "")")
        }
    }

    @Test func mistakesAreReportedWithFileAndLine() throws {
        let error = #expect(throws: SourceErrors.self) {
            try load("""
                node_prefix: "0"
                lines: 500
                transfer: {number: "80x1"}
                supervision:
                  caller_id: smoke-signals
                colour: blue
                metrics_file: /run/hotline/hotline.txt
                """)
        }
        let lines = error?.errors.map { "\($0.line): \($0.message)" } ?? []
        #expect(lines.contains("1: node_prefix must be 1-3 digits, not starting with 0"))
        #expect(lines.contains("2: config: \"lines\" must be a whole number in 1…120"))
        #expect(lines.contains("3: transfer number must be DTMF digits (at most 32)"))
        #expect(lines.contains("5: caller_id must be bell202, v23, dtmf or none"))
        #expect(lines.contains("6: unknown setting \"colour\""))
        #expect(lines.contains("7: metrics_file must end in .prom (node-exporter's textfile collector reads only those)"))
        #expect(error?.errors.allSatisfy { $0.file.hasSuffix("box.yaml") } == true)
    }

    /// A transfer flashes unless the config says the lines offer no flash transfer.
    @Test func theTransferMethodIsReadAndChecked() throws {
        #expect(try load("transfer: {number: \"8001\"}").transferMethod == .flash)
        #expect(try load("transfer: {number: \"8001\", method: bridge}").transferMethod == .bridge)
        let error = #expect(throws: SourceErrors.self) { try load("lines: 2\ntransfer:\n  method: conference\n") }
        #expect(error?.errors.map { "\($0.line): \($0.message)" } == ["3: transfer: method must be flash or bridge, not \"conference\""])
    }

    /// The uplink's bounds are read with their lines; the uplink never listens on every
    /// interface by default (429158c did: 0.0.0.0).
    @Test func uplinkBoundsAreReadAndListenIsRequired() throws {
        let c = try load("""
            uplink:
              listen: 10.8.0.21:8443
              max_connections: 32
              handshake_timeout: 3s
              idle_timeout: 1m
              request_timeout: 20s
              push_timeout: 15m
              max_json_body: 4096
            """)
        var expected = UplinkBounds()
        (expected.maxConnections, expected.handshakeMs, expected.idleMs, expected.requestMs, expected.pushMs, expected.maxJSONBytes) = (32, 3000, 60_000, 20_000, 900_000, 4096)
        #expect(c.uplink.bounds == expected && c.uplink.host == "10.8.0.21")
        let error = #expect(throws: SourceErrors.self) {
            try load("""
                uplink:
                  max_connections: 0
                  handshake_timeout: nans
                  max_json_body: 1e300
                """)
        }
        let lines = error?.errors.map { "\($0.line): \($0.message)" } ?? []
        #expect(lines.contains("2: uplink: listen is required: the leased line's address and port, e.g. 10.8.0.21:8443"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("2: uplink: \"max_connections\" must be a whole number") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("3: uplink: \"handshake_timeout\" must be a duration") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("4: uplink: \"max_json_body\" must be a whole number") }, "\(lines)")
    }

    @Test func hardwareIsReadAndItsMistakesReportedWithTheirLines() throws {
        let dahdi = try load("hardware:\n  dahdi: {channels: 1-4, echo_cancel: 0}\n")
        guard case .dahdi(let channels) = dahdi.hardware else { Issue.record("not dahdi"); return }
        #expect(channels.map(\.number) == [1, 2, 3, 4] && channels.allSatisfy { $0.echoCancelTaps == 0 } && dahdi.lines == 4)
        let alsa = try load("""
            hardware:
              alsa:
                lines:
                  - {pcm: "plughw:1,0", hook: H1, ring: R1, loop_sense: L1, ring_active_low: yes, loop_sense_active_low: true, buffer: 200ms}
            """)
        guard case .alsa(let lines, let paced) = alsa.hardware, let line = lines.first else { Issue.record("not alsa"); return }
        #expect(paced && line.capture == "plughw:1,0" && line.ringActiveLow && !line.hookActiveLow && !line.loopSenseActiveHigh && line.bufferMs == 200)

        let error = #expect(throws: SourceErrors.self) {
            try load("""
                hardware:
                  alsa:
                    paced_by_device: sometimes
                    lines:
                      - {pcm: "hw:0", hook: H1, ring: R1, ring_active_low: maybe}
                      - {pcm: "hw:1", hook: H2}
                """)
        }
        let problems = error?.errors.map { "\($0.line): \($0.message)" } ?? []
        #expect(problems.contains("3: alsa: \"paced_by_device\" must be true or false"), "\(problems)")
        #expect(problems.contains("5: alsa line: \"ring_active_low\" must be true or false"), "\(problems)")
        #expect(problems.contains("6: alsa line: needs pcm (or capture and playback), hook and ring"), "\(problems)")
    }
}
