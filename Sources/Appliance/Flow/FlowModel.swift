import LocalDB

/// An IVR tree, loaded from a flow file (docs/FLOWS.md) and checked before it is used.
struct Flow: Sendable {
    var name: String
    var start: String
    var nodes: [String: FlowNode]
    var file: String
}

struct FlowNode: Sendable {
    var name: String
    var line: Int
    var kind: Kind

    enum Kind: Sendable {
        case menu(Menu)
        case play(prompts: [String], next: String)
        /// Reads a number back digit by digit: the case made on this call, or the digits collected.
        case readBack(prompt: String, value: ReadBackValue, next: String)
        case record(Record)
        case collect(Collect)
        case status(StatusLookup)
        case survey(Survey)
        case faxReceive(next: String)
        case faxSend(document: String, prompt: String?, next: String)
        case transfer(Transfer)
        case goto(String)
        case back
        case hangUp(prompt: String?)
    }

    enum ReadBackValue: String, Sendable {
        case caseNumber = "case_number"
        case collected
    }

    struct Menu: Sendable {
        var prompt: String
        var keys: [Character: String]
        var timeoutMs = 5000
        var retries = 3
        var invalid = "invalid_key"
        var noInput = "no_input"
        var onFail = "goodbye"
    }

    /// A message the caller records after a beep; 1 confirm / 2 replay / 3 cancel.
    struct Record: Sendable {
        var caseKind: CaseKind
        var intro: String
        var beep = true
        var maxMs = 180_000
        var minMs = 2000
        var silenceMs = 8000
        var endOnHash = true
        var confirm = "record_confirm"
        var tooShort = "record_too_short"
        var cancelledPrompt = "record_cancelled"
        var numberIs = "your_number_is"
        var next: String
        var cancelled: String
    }

    /// Digits the caller keys, repeated back, then 1 confirm / 2 cancel.
    struct Collect: Sendable {
        var prompt: String
        var digits: Int
        var repeatPrompt: String?
        var confirm: String?
        var timeoutMs = 10_000
        var next: String
        var cancelled: String
    }

    struct StatusLookup: Sendable {
        var statusPrompts: [CaseStatus: String]
        var unknown: String
        var mistyped: String
        var retry: String
        var next: String
    }

    struct Survey: Sendable {
        var name: String
        var intro: String?
        var questions: [(id: String, prompt: String, choices: String)]
        var thanks: String?
        var timeoutMs = 8000
        var next: String
    }

    struct Transfer: Sendable {
        var prompt = "transferring"
        var unavailable: String
        var unavailablePrompt = "manual_unavailable"
    }

    /// Every node this one can lead to.
    var targets: [String] {
        switch kind {
        case .menu(let m): Array(m.keys.values) + [m.onFail]
        case .play(_, let next), .readBack(_, _, let next), .faxReceive(let next), .faxSend(_, _, let next): [next]
        case .record(let r): [r.next, r.cancelled]
        case .collect(let c): [c.next, c.cancelled]
        case .status(let s): [s.next, s.retry]
        case .survey(let s): [s.next]
        case .transfer(let t): [t.unavailable]
        case .goto(let target): [target]
        case .back, .hangUp: []
        }
    }

    /// Every prompt this node plays.
    var prompts: [String] {
        switch kind {
        case .menu(let m): [m.prompt, m.invalid, m.noInput]
        case .play(let p, _): p
        case .readBack(let p, _, _): [p]
        case .record(let r): [r.intro, r.confirm, r.tooShort, r.cancelledPrompt, r.numberIs]
        case .collect(let c): [c.prompt] + [c.repeatPrompt, c.confirm].compactMap { $0 }
        case .status(let s): Array(s.statusPrompts.values) + [s.unknown, s.mistyped]
        case .survey(let s): s.questions.map(\.prompt) + [s.intro, s.thanks].compactMap { $0 }
        case .faxSend(_, let p, _): [p].compactMap { $0 }
        case .transfer(let t): [t.prompt, t.unavailablePrompt]
        case .hangUp(let p): [p].compactMap { $0 }
        case .faxReceive, .goto, .back: []
        }
    }
}
