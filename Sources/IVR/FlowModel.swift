import HotlineModel


/// An IVR tree, loaded from a flow file (docs/FLOWS.md) and checked before it is used.
package struct Flow: Sendable {
    package var name: String
    package var start: String
    package var nodes: [String: FlowNode]
    package var file: String
    /// Other places a call may start, by name (`entries:`; a call-back for a survey alone
    /// starts at the flow's `survey` entry).
    package var entries: [String: String] = [:]

    /// Where a call starts: the entry named `entry` if the flow has one, else `start`.
    package func startNode(_ entry: String?) -> String { entry.flatMap { entries[$0] } ?? start }
}

package struct FlowNode: Sendable {
    /// What the interpreter plays and where it goes on its own, beyond what a node names: the
    /// loader checks these like any other prompt or target, so a flow that lacks one is refused
    /// at load, not found silent on a call.
    package static let invalidKeyPrompt = "invalid_key"
    package static let noInputPrompt = "no_input"
    package static let pleaseNotePrompt = "please_note"
    package static let giveUpNode = "goodbye"

    package var name: String
    package var line: Int
    package var kind: Kind

    package init(name: String, line: Int, kind: Kind) {
        self.name = name
        self.line = line
        self.kind = kind
    }

    package enum Kind: Sendable {
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
        /// Queues `document` to be faxed to the number the caller keyed last (a `collect`
        /// before it): the box calls it later, with retries.
        case faxQueue(document: String, prompt: String?, next: String)
        case transfer(Transfer)
        case goto(String)
        case back
        case hangUp(prompt: String?)
    }

    package enum ReadBackValue: String, Sendable {
        case caseNumber = "case_number"
        case collected
    }

    package struct Menu: Sendable {
        package var prompt: String
        package var keys: [Character: String]
        package var timeoutMs = 5000
        package var retries = 3
        package var invalid = FlowNode.invalidKeyPrompt
        package var noInput = FlowNode.noInputPrompt
        package var onFail = FlowNode.giveUpNode
        /// The menu is offered only while this calendar service is open; otherwise the caller
        /// goes straight to the condition's `closed` node.
        package var when: ServiceCondition?
        /// The key chosen is kept as the answer to this question (a call-back's `rating`), as
        /// a survey's are.
        package var answer: String?
    }

    /// A calendar service a node depends on, and where the caller goes while it is closed.
    package struct ServiceCondition: Sendable {
        package var service: String
        package var closed: String
    }

    /// A message the caller records after a beep; 1 confirm / 2 replay / 3 cancel.
    package struct Record: Sendable {
        package var caseKind: CaseKind
        package var intro: String
        package var beep = true
        package var maxMs = 180_000
        package var minMs = 2000
        package var silenceMs = 8000
        package var endOnHash = true
        package var confirm = "record_confirm"
        package var tooShort = "record_too_short"
        package var cancelledPrompt = "record_cancelled"
        package var numberIs = "your_number_is"
        package var next: String
        package var cancelled: String
    }

    /// Digits the caller keys, repeated back, then 1 confirm / 2 cancel.
    package struct Collect: Sendable {
        package var prompt: String
        package var digits: Int
        package var repeatPrompt: String?
        package var confirm: String?
        /// `#` ends a shorter number, as do `inter_digit` ms without a key, once it has this many.
        package var minDigits: Int
        package var timeoutMs = 10_000
        package var interDigitMs = 5000
        package var next: String
        package var cancelled: String
        /// Where the caller goes after the node's retries; default `cancelled` (a node whose
        /// `cancelled` is itself, to key again, names another here).
        package var onFail: String?
    }

    package struct StatusLookup: Sendable {
        package var statusPrompts: [CaseStatus: String]
        /// Said before the case's handling note, when it has one; without, no note is played.
        package var note: String?
        package var unknown: String
        package var mistyped: String
        package var retry: String
        package var next: String
    }

    package struct Survey: Sendable {
        package var name: String
        package var intro: String?
        package var questions: [(id: String, prompt: String, choices: String)]
        package var thanks: String?
        package var timeoutMs = 8000
        package var next: String
    }

    package struct Transfer: Sendable {
        /// The number dialled; without one, the config's `transfer.number`.
        package var number: String?
        /// The calendar service whose hours the transfer keeps.
        package var service = ServiceCalendar.desk
        package var prompt = "transferring"
        /// Where the caller goes when there is no number to dial, and, without `closed`, out of hours.
        package var unavailable: String
        package var unavailablePrompt = "manual_unavailable"
        /// Where the caller goes out of the service's hours (straight, with no prompt: the node
        /// says the hours itself).
        package var closed: String?
        /// Where the caller goes, taken back, when the number is busy or rings out (straight:
        /// the node says so); without it, as for `unavailable`.
        package var busy: String?
        /// How long the number may ring before the caller is taken back.
        package var timeoutMs = 30_000
    }

    /// Every node this one can lead to.
    package var targets: [String] {
        switch kind {
        case .menu(let m): Array(m.keys.values) + [m.onFail] + [m.when?.closed].compactMap { $0 }
        case .play(_, let next), .readBack(_, _, let next), .faxReceive(let next), .faxSend(_, _, let next): [next]
        case .faxQueue(_, _, let next): [next, FlowNode.giveUpNode]
        case .record(let r): [r.next, r.cancelled, FlowNode.giveUpNode]
        case .collect(let c): [c.next, c.cancelled] + [c.onFail].compactMap { $0 }
        case .status(let s): [s.next, s.retry]
        case .survey(let s): [s.next]
        case .transfer(let t): [t.unavailable] + [t.closed, t.busy].compactMap { $0 }
        case .goto(let target): [target]
        case .back, .hangUp: []
        }
    }

    /// Every prompt this node plays.
    package var prompts: [String] {
        switch kind {
        case .menu(let m): [m.prompt, m.invalid, m.noInput]
        case .play(let p, _): p
        case .readBack(let p, _, _): [p]
        case .record(let r): [r.intro, r.confirm, r.tooShort, r.cancelledPrompt, r.numberIs, FlowNode.invalidKeyPrompt, FlowNode.noInputPrompt, FlowNode.pleaseNotePrompt]
        case .collect(let c): [c.prompt, FlowNode.invalidKeyPrompt, FlowNode.noInputPrompt] + [c.repeatPrompt, c.confirm].compactMap { $0 }
        case .status(let s): Array(s.statusPrompts.values) + [s.unknown, s.mistyped] + [s.note].compactMap { $0 }
        case .survey(let s): s.questions.map(\.prompt) + [s.intro, s.thanks].compactMap { $0 } + [FlowNode.invalidKeyPrompt, FlowNode.noInputPrompt]
        case .faxSend(_, let p, _), .faxQueue(_, let p, _): [p].compactMap { $0 }
        case .transfer(let t): [t.prompt, t.unavailablePrompt]
        case .hangUp(let p): [p].compactMap { $0 }
        case .faxReceive, .goto, .back: []
        }
    }
}
