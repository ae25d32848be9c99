import HotlineModel
import IVR
import TestSupport
import Testing

/// Every node kind against the five things a caller can do at it: the answer it waits for, a
/// wrong one, nothing, hanging up, and a key typed ahead (pressed over the prompt of the node
/// before, which only informs). Nodes that take no keys must not act on them; nodes that pass
/// straight through must still reach their next node; a hang-up ends the run wherever it comes;
/// a key typed ahead answers the node's question as soon as it is asked.
@Suite(.tags(.unit)) struct FlowRunTableTests {
    static let yaml = """
        flow: every-kind
        start: top
        nodes:
          top:
            menu:
              prompt: p_menu
              keys: {"1": rec, "2": col, "3": st, "4": sv, "5": fr, "6": fs, "7": tr, "8": gt, "9": bk, "0": pl, "*": fq}
          rec:
            record: {case: complaint, intro: p_intro, beep: false, min: 1s, next: after, cancelled: after}
          col:
            collect: {prompt: p_collect, digits: 1, next: after, cancelled: hu}
          st:
            status: {accepted: p_status, in_progress: p_status, rejected: p_status, closed: p_status, unknown: p_unknown, mistyped: p_mistyped, retry: col, next: after}
          sv:
            survey: {name: s, questions: [{id: q1, prompt: p_q1, choices: "12"}], next: after}
          fr:
            fax_receive: {next: after}
          fs:
            fax_send: {document: doc, prompt: p_fax, next: after}
          fq:
            fax_queue: {document: doc, prompt: p_queued, next: after}
          tr:
            transfer: {unavailable: after}
          gt:
            goto: after
          bk:
            back:
          pl:
            play: {prompt: p_play, next: rb}
          rb:
            read_back: {prompt: p_readback, value: collected, next: hu}
          hu:
            hangup: {prompt: p_bye}
          after:
            hangup: {prompt: p_after}
          goodbye:
            hangup: {prompt: goodbye}
        """

    static let prompts: Set<String> = [
        "p_menu", "p_intro", "p_collect", "p_status", "p_unknown", "p_mistyped", "p_q1", "p_fax", "p_queued", "p_play", "p_readback", "p_bye", "p_after",
        "goodbye", "invalid_key", "no_input", "please_note", "record_confirm", "record_too_short", "record_cancelled", "your_number_is",
        "transferring", "manual_unavailable",
    ]

    enum Probe: String, CaseIterable, Sendable { case rightAnswer, wrongAnswer, silence, hangUp, typeAhead }

    /// What the probe must lead to.
    enum Outcome: Sendable, CustomStringConvertible {
        case visits(String)
        case plays([PromptRef])
        case does(FlowAction)
        /// Nothing happens: the node does not take this input.
        case ignored
        /// The run is over and asks for nothing more.
        case ends

        var description: String {
            switch self {
            case .visits(let n): "visits \(n)"
            case .plays(let p): "plays \(p)"
            case .does(let a): "does \(a)"
            case .ignored: "ignored"
            case .ends: "ends"
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var node: String
        var probe: Probe
        var outcome: Outcome
        var testDescription: String { "\(node) × \(probe.rawValue) → \(outcome)" }
    }

    /// Inputs that bring a run started at `node` to where it waits for the caller, and the input
    /// each probe is there (with its line time).
    static func script(_ node: String, _ probe: Probe) -> (prepare: [(FlowInput, Int)], probe: (FlowInput, Int)) {
        let keys: [(FlowInput, Int)] = [(.start, 0), (.played(id: 1, interrupted: false), 2000)]
        switch (node, probe) {
        case (_, .hangUp): return (node == "rec" ? recordConfirm : keys, (.hungUp, 3000))
        case ("top", .rightAnswer): return (keys, (.digit("1"), 2500))
        case ("top", .wrongAnswer): return (keys, (.digit("#"), 2500))
        case ("top", .silence), ("col", .silence): return (keys, (.tick, 2000 + 10_001))
        case ("rec", .rightAnswer): return (recordConfirm, (.digit("1"), 9000))
        case ("rec", .wrongAnswer): return (recordConfirm, (.digit("9"), 9000))
        case ("rec", .silence): return (recordConfirm, (.tick, 8000 + 8001))
        case ("col", .rightAnswer): return (keys, (.digit("4"), 2500))
        case ("col", .wrongAnswer): return (keys, (.digit("#"), 2500))
        case ("st", .rightAnswer): return ([(.start, 0)], (.lookedUp(.found(.closed, note: false)), 100))
        case ("st", .wrongAnswer): return ([(.start, 0)], (.lookedUp(.mistyped), 100))
        case ("st", .silence): return ([(.start, 0)], (.tick, 60_000))
        case ("sv", .rightAnswer): return (keys, (.digit("2"), 2500))
        case ("sv", .wrongAnswer): return (keys, (.digit("9"), 2500))
        case ("sv", .silence): return (keys, (.tick, 2000 + 8001))
        case ("fr", .silence), ("fq", .silence): return ([(.start, 0)], (.tick, 60_000))
        // A fax job's node waits for the box to say whether it queued the job.
        case ("fq", .rightAnswer), ("fq", .wrongAnswer): return ([(.start, 0)], (.faxQueued(probe == .rightAnswer), 100))
        case ("gt", .silence), ("bk", .silence): return ([], (.start, 0))
        // The key is pressed over "pre", a play node leading here; the probe is its end.
        case (_, .typeAhead): return ([(.start, 0), (.digit(typedAhead[node] ?? "1"), 500)], (.played(id: 1, interrupted: false), 2000))
        case (_, .rightAnswer), (_, .wrongAnswer): return ([(.start, 0)], (.digit(probe == .rightAnswer ? "1" : "*"), 100))
        case (_, .silence): return ([(.start, 0)], (.played(id: 1, interrupted: false), 3000))
        }
    }

    /// The key typed ahead for each node: its right answer where it asks a question.
    static let typedAhead: [String: Character] = ["col": "4", "sv": "2"]

    /// A record node's confirmation: the message recorded, ended with #, the question asked.
    static let recordConfirm: [(FlowInput, Int)] = [(.start, 0), (.played(id: 1, interrupted: false), 2000), (.digit("#"), 5000),
                                                     (.played(id: 2, interrupted: false), 7000)]

    static let cases: [Case] = [
        Case(node: "top", probe: .rightAnswer, outcome: .visits("rec")),
        Case(node: "top", probe: .wrongAnswer, outcome: .plays([.named("invalid_key"), .named("p_menu")])),
        Case(node: "top", probe: .typeAhead, outcome: .visits("rec")),
        Case(node: "top", probe: .silence, outcome: .plays([.named("no_input"), .named("p_menu")])),
        Case(node: "rec", probe: .rightAnswer, outcome: .does(.createCase(.complaint, complete: true))),
        Case(node: "rec", probe: .wrongAnswer, outcome: .plays([.named("invalid_key"), .named("record_confirm")])),
        Case(node: "rec", probe: .silence, outcome: .plays([.named("no_input"), .named("record_confirm")])),
        // A key typed over the node before neither skips the intro nor reaches the confirmation.
        Case(node: "rec", probe: .typeAhead, outcome: .plays([.named("p_intro")])),
        Case(node: "rec", probe: .hangUp, outcome: .does(.createCase(.complaint, complete: false))),
        Case(node: "col", probe: .rightAnswer, outcome: .visits("after")),
        Case(node: "col", probe: .wrongAnswer, outcome: .plays([.named("invalid_key"), .named("p_collect")])),
        Case(node: "col", probe: .typeAhead, outcome: .visits("after")),
        Case(node: "col", probe: .silence, outcome: .plays([.named("no_input"), .named("p_collect")])),
        Case(node: "st", probe: .rightAnswer, outcome: .plays([.named("p_status")])),
        Case(node: "st", probe: .wrongAnswer, outcome: .plays([.named("p_mistyped")])),
        Case(node: "st", probe: .silence, outcome: .ignored),
        Case(node: "st", probe: .typeAhead, outcome: .does(.lookUp(""))),
        Case(node: "sv", probe: .rightAnswer, outcome: .does(.saveAnswer(survey: "s", question: "q1", answer: "2"))),
        Case(node: "sv", probe: .wrongAnswer, outcome: .plays([.named("invalid_key"), .named("p_q1")])),
        Case(node: "sv", probe: .silence, outcome: .plays([.named("no_input"), .named("p_q1")])),
        Case(node: "sv", probe: .typeAhead, outcome: .does(.saveAnswer(survey: "s", question: "q1", answer: "2"))),
        Case(node: "fr", probe: .rightAnswer, outcome: .ignored),
        Case(node: "fr", probe: .wrongAnswer, outcome: .ignored),
        Case(node: "fr", probe: .silence, outcome: .ignored),
        Case(node: "fr", probe: .typeAhead, outcome: .does(.receiveFax)),
        Case(node: "fs", probe: .rightAnswer, outcome: .ignored),
        Case(node: "fs", probe: .wrongAnswer, outcome: .ignored),
        Case(node: "fs", probe: .silence, outcome: .does(.sendFax(document: "doc"))),
        Case(node: "fs", probe: .typeAhead, outcome: .plays([.named("p_fax")])),
        Case(node: "fq", probe: .rightAnswer, outcome: .plays([.named("p_queued")])),
        // Not queued: the caller is not told it will come.
        Case(node: "fq", probe: .wrongAnswer, outcome: .visits("goodbye")),
        Case(node: "fq", probe: .silence, outcome: .ignored),
        Case(node: "fq", probe: .typeAhead, outcome: .does(.queueFax(document: "doc", number: ""))),
        Case(node: "tr", probe: .rightAnswer, outcome: .ignored),
        Case(node: "tr", probe: .wrongAnswer, outcome: .ignored),
        Case(node: "tr", probe: .silence, outcome: .visits("after")),
        Case(node: "tr", probe: .typeAhead, outcome: .plays([.named("manual_unavailable")])),
        Case(node: "gt", probe: .rightAnswer, outcome: .ignored),
        Case(node: "gt", probe: .wrongAnswer, outcome: .ignored),
        Case(node: "gt", probe: .silence, outcome: .visits("after")),
        Case(node: "gt", probe: .typeAhead, outcome: .visits("after")),
        Case(node: "bk", probe: .rightAnswer, outcome: .visits("rec")),
        Case(node: "bk", probe: .wrongAnswer, outcome: .plays([.named("invalid_key"), .named("p_menu")])),
        Case(node: "bk", probe: .silence, outcome: .visits("top")),
        Case(node: "bk", probe: .typeAhead, outcome: .visits("rec")),
        Case(node: "pl", probe: .rightAnswer, outcome: .ignored),
        Case(node: "pl", probe: .wrongAnswer, outcome: .ignored),
        Case(node: "pl", probe: .silence, outcome: .visits("rb")),
        Case(node: "pl", probe: .typeAhead, outcome: .plays([.named("p_play")])),
        Case(node: "rb", probe: .rightAnswer, outcome: .ignored),
        Case(node: "rb", probe: .wrongAnswer, outcome: .ignored),
        Case(node: "rb", probe: .silence, outcome: .visits("hu")),
        Case(node: "rb", probe: .typeAhead, outcome: .plays([.named("p_readback")])),
        Case(node: "hu", probe: .rightAnswer, outcome: .ignored),
        Case(node: "hu", probe: .wrongAnswer, outcome: .ignored),
        Case(node: "hu", probe: .silence, outcome: .does(.hangUp)),
        Case(node: "hu", probe: .typeAhead, outcome: .plays([.named("p_bye")])),
    ] + ["top", "col", "st", "sv", "fr", "fs", "fq", "tr", "gt", "bk", "pl", "rb", "hu"].map { Case(node: $0, probe: .hangUp, outcome: .ends) }

    @Test func theTableCoversEveryNodeKindAndProbe() throws {
        let flow = try FlowLoader.parse(Self.yaml, file: "t.yaml", prompts: Self.prompts, documents: ["doc"]).get()
        let kinds = Set(flow.nodes.values.map { "\($0.kind)".prefix { $0 != "(" } })
        #expect(kinds.count == 14, "\(kinds.sorted())")
        for node in Set(Self.cases.map(\.node)) {
            #expect(Set(Self.cases.filter { $0.node == node }.map(\.probe)) == Set(Probe.allCases), "\(node)")
        }
    }

    @Test(arguments: cases)
    func everyKindAgainstEveryProbe(_ c: Case) throws {
        var flow = try FlowLoader.parse(Self.yaml, file: "t.yaml", prompts: Self.prompts, documents: ["doc"]).get()
        var (prepare, probe) = Self.script(c.node, c.probe)
        if c.node == "bk" {
            // "back" returns to the menu before it, so bk is reached from top (key 9); its
            // silence is that step, and keys then answer the menu it went back to.
            let route: [(FlowInput, Int)] = [(.start, 0), (.played(id: 1, interrupted: false), 1000)]
            // Typed ahead, the second key comes while the menu it went back to starts again.
            switch c.probe {
            case .silence: (prepare, probe) = (route, (.digit("9"), 1500))
            case .rightAnswer, .wrongAnswer: (prepare, probe) = (route + [(.digit("9"), 1500)], (.digit(c.probe == .rightAnswer ? "1" : "#"), 2500))
            case .typeAhead: (prepare, probe) = (route + [(.digit("9"), 1500)], (.digit("1"), 1600))
            case .hangUp: (prepare, probe) = (route + [(.digit("9"), 1500)], (.hungUp, 3000))
            }
        } else if c.probe == .typeAhead {
            flow.nodes["pre"] = FlowNode(name: "pre", line: 0, kind: .play(prompts: ["p_play"], next: c.node))
            flow.start = "pre"
        } else {
            flow.start = c.node
        }
        let run = FlowRun(flow: flow, context: .closed)
        for (input, at) in prepare { _ = run.handle(input, at: at) }
        let actions = run.handle(probe.0, at: probe.1)
        if c.probe == .typeAhead {
            // The key typed ahead never lands in a message.
            #expect(!actions.contains(.startMessage(.complaint)), "\(actions)")
        }
        switch c.outcome {
        case .visits(let node): #expect(actions.contains(.visited(node)), "\(actions)")
        case .plays(let refs): #expect(actions.contains { if case .play(let p, _, _) = $0 { p == refs } else { false } }, "\(actions)")
        case .does(let action): #expect(actions.contains(action), "\(actions)")
        case .ignored: #expect(actions.isEmpty, "\(actions)")
        case .ends:
            #expect(run.isEnded)
            #expect(!actions.contains { if case .play = $0 { true } else { false } }, "\(actions)")
        }
    }
}
