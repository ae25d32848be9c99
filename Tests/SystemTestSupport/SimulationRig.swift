import Box
import DSP
import Foundation
import HotlineModel
import Lab
import LocalDB
import TestSupport

/// Runs scenarios through the whole box (flows, case DB, DSP, simulated exchange) for tests.
package enum SimulationRig {
    package static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The spoken prompt pack, made once per test process and shared read-only.
    package static let promptCache: Result<String, any Error> = Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-test-prompts").path
        _ = try PromptLibrary.build(source: "\(repository)/prompts/cmn.yaml", into: dir)
        return dir
    }

    package static func config(data: String) throws -> BoxConfig {
        var c = BoxConfig()
        c.flowFile = "\(repository)/flows/seed.yaml"
        c.outbound.callbackFlowFile = "\(repository)/flows/callback.yaml"
        c.promptsFile = "\(repository)/prompts/cmn.yaml"
        c.documentsDirectory = "\(repository)/documents"
        c.promptCache = try promptCache.get()
        c.dataDirectory = data
        c.demoTraffic = false
        return c
    }

    /// Writes a config for a test daemon into `scratch` (data, control socket, the repository's
    /// content, the shared prompt pack) plus `extra` YAML lines; returns its path.
    package static func daemonConfig(in scratch: ScratchDirectory, _ extra: String = "", promptCache cache: String? = nil) throws -> String {
        let yaml = """
            data_dir: \(scratch.path("box"))
            flow: \(repository)/flows/seed.yaml
            prompts: \(repository)/prompts/cmn.yaml
            documents: \(repository)/documents
            prompt_cache: \(try cache ?? promptCache.get())
            control_socket: \(scratch.path("control.sock"))

            """ + extra
        try yaml.write(toFile: scratch.path("box.yaml"), atomically: true, encoding: .utf8)
        return scratch.path("box.yaml")
    }

    package struct Outcome {
        package var report: SimulationReport
        package var store: CaseStore
        package var data: ScratchDirectory
    }

    package static func run(_ json: String, adjust: (inout BoxConfig) -> Void = { _ in }) throws -> Outcome {
        let data = try ScratchDirectory()
        let file = data.path("scenario.json")
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        let scenario = try Scenario.load(file)
        var c = try config(data: data.path("box"))
        c.lines = scenario.lines ?? 1
        adjust(&c)
        let report = try Simulation(scenario: scenario, config: c, verbose: false).run()
        return Outcome(report: report, store: try CaseStore(path: data.path("box/cases.sqlite"), prefix: c.nodePrefix), data: data)
    }

    /// A one-call scenario on line 0 with these script steps, at `startsAt` on the wall clock
    /// (an ISO 8601 moment with its offset) when the calendar matters.
    /// `desk` (a JSON object, docs/SIMULATE.md) is how the number a transfer dials behaves.
    package static func call(_ steps: String, caller: String = "13812345678", startsAt: String? = nil, desk: String? = nil, lines: Int = 1) -> String {
        let moment = startsAt.map { #""starts_at": "\#($0)", "# } ?? ""
        let deskEntry = desk.map { #""desk": \#($0), "# } ?? ""
        return """
            {"lines": \(lines), \(moment)\(deskEntry)"calls": [{"line": 0, "at_ms": 0, "caller_id": {"number": "\(caller)"}, "script": [\(steps)]}]}
            """
    }

    /// A Friday morning and evening in Beijing: the default desk (08:00-18:00) open, then closed.
    package static let deskOpen = "2026-12-04T10:00:00+08:00"
    package static let deskClosed = "2026-12-04T20:00:00+08:00"

    /// Steps that press 1 for the manual service at the welcome.
    package static let manualService = #"{"do": "wait_for_prompt"}, {"do": "wait", "ms": 1000}, {"do": "dtmf", "digits": "1"}"#

    /// Steps that reach the automatic menu and choose `key` there.
    package static func autoMenu(_ key: String) -> String {
        #"{"do": "wait_for_prompt"}, {"do": "wait", "ms": 1000}, {"do": "dtmf", "digits": "2"}, {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "\#(key)"}"#
    }

    /// A complaint, then two minutes later a query of its number by the same caller; the
    /// central office sets the case's status at 100 s when `centralSets` is given.
    package static func complaintThenQuery(centralSets status: CaseStatus?) -> String {
        let query = query(#"{"do": "dtmf_case_number", "case": 0}"#)
        let central = status.map { #", "central": [{"at_ms": 100000, "set_status": {"case": 0, "status": "\#($0.rawValue)"}}]"# } ?? ""
        return """
            {"lines": 1, "calls": [
              {"line": 0, "at_ms": 0, "caller_id": {"number": "13812345678"}, "script": [\(complaint), \(hangUp)]},
              {"line": 0, "at_ms": 120000, "caller_id": {"number": "13812345678"}, "script": [\(query)]}
            ]\(central)}
            """
    }

    /// Steps that ask after a number (keyed by `keying`), confirm it, hear the answer and hang up.
    package static func query(_ keying: String) -> String {
        autoMenu("3") + #"""
            , {"do": "wait", "ms": 1500}, \#(keying),
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 1000}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000},
            """# + hangUp
    }

    /// Steps that leave a complaint and confirm it.
    package static let complaint = autoMenu("2") + #"""
        , {"do": "wait_for_beep"}, {"do": "say", "text": "我要投诉,幸福小区门口的路灯坏了,请尽快修理。"}, {"do": "dtmf", "digits": "#"},
        {"do": "wait_for_prompt"}, {"do": "wait", "ms": 800}, {"do": "dtmf", "digits": "1"},
        {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000}
        """#

    package static let hangUp = #"{"do": "hang_up", "how": "loop_drop"}"#
}

extension SimulationReport.Call {
    package var promptNames: [String] { prompts.map(\.prompt) }

    /// The digits read back after the first "your number is".
    package var numberReadBack: String {
        guard let start = promptNames.firstIndex(of: "your_number_is") else { return "" }
        return String(promptNames[(start + 1)...].prefix { $0.hasPrefix("digit_") }.map { $0.last! })
    }
}
