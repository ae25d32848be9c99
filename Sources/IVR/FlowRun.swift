import DSP
import HotlineModel

/// What a flow plays: a named prompt, a number read digit by digit, the beep, the caller's
/// own message (replay), or the handling note of the case just looked up.
package enum PromptRef: Equatable, Sendable {
    case named(String)
    case digits(String)
    case beep
    case message
    case note
}

package enum LookupOutcome: Equatable, Sendable {
    /// `note`: the central office left a handling note callers can hear.
    case found(CaseStatus, note: Bool)
    case unknown
    case mistyped
}

package enum FlowInput: Equatable, Sendable {
    case start
    case digit(Character)
    case played(id: Int32, interrupted: Bool)
    case voice(VoiceActivity)
    case tick
    case caseCreated(AcceptanceNumber)
    case lookedUp(LookupOutcome)
    case faxDetected
    case faxFinished(success: Bool)
    /// How the transfer's call to its number went (`answered`: the caller is joined to it).
    case transferred(OutboundResult)
    /// Whether the fax job a `fax_queue` node asked for is queued.
    case faxQueued(Bool)
    case hungUp
}

package enum FlowAction: Equatable, Sendable {
    case play([PromptRef], id: Int32, bargeIn: Bool)
    case stopPlayback
    /// Start recording the caller's message for a case of this kind.
    case startMessage(CaseKind)
    case stopMessage
    case discardMessage
    case createCase(CaseKind, complete: Bool)
    case lookUp(String)
    case saveAnswer(survey: String, question: String, answer: String)
    case receiveFax
    case sendFax(document: String)
    /// Hold the caller, call `number` and say how it went (`transferred`); give up after
    /// `noAnswerMs` of ringing.
    case transfer(number: String, noAnswerMs: Int)
    /// Queue `document` to be faxed to `number`, and say whether it is (`faxQueued`).
    case queueFax(document: String, number: String)
    case hangUp
    case visited(String)
}

/// What a run asks of the box as it goes.
package struct FlowContext {
    /// Whether a calendar service is open at a line time (ms).
    package var isOpen: (_ service: String, _ atMs: Int) -> Bool
    /// The config's `transfer.number`, for transfer nodes that name none.
    package var transferNumber: String?
    /// The case the call is about before the caller keys anything (a call-back's): a status
    /// node looks it up and `read_back: case_number` reads it until the call makes a case.
    package var subject: String?
    /// The flow's entry the call starts at, when it has one by this name (a call-back's purpose).
    package var entry: String?

    package init(isOpen: @escaping (_ service: String, _ atMs: Int) -> Bool, transferNumber: String?, subject: String? = nil, entry: String? = nil) {
        self.isOpen = isOpen
        self.transferNumber = transferNumber
        self.subject = subject
        self.entry = entry
    }

    /// Every service closed and no number: nothing is transferred.
    package static var closed: FlowContext { FlowContext(isOpen: { _, _ in false }, transferNumber: nil) }
}

/// One caller's way through a flow, as a pure state machine: inputs (with the line time they
/// happened at) in, actions out. It waits for the side effects it asks for (a case created, a
/// number looked up, a fax sent) to come back as inputs, so the session decides how they
/// happen and tests can play both sides.
package final class FlowRun {
    private enum After: Equatable {
        case awaitKey
        case go(String)
        case startRecording
        case confirmMessage
        case awaitDigits
        case confirmDigits
        case question
        case fax(String)
        case transfer(String)
        case hangUp

        /// Whether the caller is being asked something, so a key answers it.
        var takesKeys: Bool {
            switch self {
            case .awaitKey, .confirmMessage, .awaitDigits, .confirmDigits, .question: true
            case .go, .startRecording, .fax, .transfer, .hangUp: false
            }
        }
    }

    /// Keys pressed while nothing is asked (over a prompt that only informs, while a case is
    /// made) wait for the next question, as on other hotlines; a wrong key or a recording
    /// drops them, since the caller typed them for something that did not come.
    private static let typeAheadLimit = 32

    private enum Phase: Equatable {
        case idle
        case prompting(id: Int32, then: After)
        case keys(until: Int, for: After)
        case recording(since: Int)
        case waitingCase
        case waitingLookup
        case waitingQueue
        case faxing(callerFax: Bool)
        case transferring
        case ended
    }

    package let flow: Flow
    private let context: FlowContext
    package private(set) var node: FlowNode
    private var phase = Phase.idle
    private var playID: Int32 = 0
    private var retries = 0
    private var menus: [String] = []
    private var collected = ""
    private var query = ""
    private var lastVoiceAt = 0
    private var voiceActive = false
    private var shortTakes = 0
    private var question = 0
    private var messageExists = false
    private var caseMade = false
    private var lastCaseNumber = ""
    private var typeAhead: [Character] = []
    /// The `#` a caller keys after a number already complete ends it a second time: dropped.
    private var swallowHash = false
    package private(set) var path: [String] = []
    private var now = 0
    private var out: [FlowAction] = []

    package init(flow: Flow, context: FlowContext) {
        self.flow = flow
        self.context = context
        node = flow.nodes[flow.startNode(context.entry)]!
        typeAhead.reserveCapacity(Self.typeAheadLimit)
        query = context.subject ?? ""
        lastCaseNumber = context.subject ?? ""
    }

    package var isEnded: Bool { phase == .ended }

    /// Feeds one input at line time `time` (ms) and returns the actions it calls for.
    package func handle(_ input: FlowInput, at time: Int) -> [FlowAction] {
        now = time
        out = []
        switch (input, phase) {
        case (_, .ended):
            break
        case (.start, _):
            enter(flow.startNode(context.entry))
        case (.hungUp, _):
            if case .recording = phase { emit(.stopMessage) }
            if messageExists && !caseMade, case .record(let r) = node.kind { emit(.createCase(r.caseKind, complete: false)) }
            phase = .ended
        case (.faxDetected, .faxing), (.faxDetected, .transferring):
            // A fax heard while one runs, or on the line the caller is held away from.
            break
        case (.faxDetected, _):
            emit(.stopPlayback)
            if case .recording = phase { emit(.stopMessage); emit(.discardMessage); messageExists = false }
            emit(.receiveFax)
            phase = .faxing(callerFax: true)
        case (.faxFinished, .faxing(let callerFax)):
            if callerFax { finish() } else { advance() }
        case (.transferred(.answered), .transferring):
            // Joined: the box drops out.
            finish()
        case (.transferred, .transferring):
            // Busy, rung out, refused: the caller is back with the box.
            guard case .transfer(let t) = node.kind else { return out }
            if let busy = t.busy { go(busy) } else { prompt([.named(t.unavailablePrompt)], then: .go(t.unavailable)) }
        case (.played(let id, _), .prompting(let waiting, let then)) where id == waiting:
            proceed(then)
        case (.digit(let d), _):
            digit(d)
        case (.tick, .keys(let until, let then)) where now >= until:
            timedOut(then)
        case (.voice(let v), .recording):
            voiceActive = v == .speech
            lastVoiceAt = now
        case (.tick, .recording(let since)):
            if case .record(let r) = node.kind,
               now - since >= r.maxMs || (!voiceActive && now - lastVoiceAt >= r.silenceMs) { endRecording(since) }
        case (.caseCreated(let number), .waitingCase):
            caseMade = true
            lastCaseNumber = number.digits
            if case .survey(let s) = node.kind {
                prompt([s.thanks].compactMap { $0 }.map(PromptRef.named), then: .go(s.next))
            } else if case .record(let r) = node.kind {
                prompt([.named(r.numberIs), .digits(number.digits), .named(FlowNode.pleaseNotePrompt), .named(r.numberIs), .digits(number.digits)], bargeIn: false, then: .go(r.next))
            }
        case (.lookedUp(let outcome), .waitingLookup):
            guard case .status(let s) = node.kind else { break }
            switch outcome {
            case .found(let status, let note):
                let heard = note ? s.note.map { [PromptRef.named($0), .note] } ?? [] : []
                prompt([.named(s.statusPrompts[status] ?? s.unknown)] + heard, then: .go(s.next))
            case .unknown: prompt([.named(s.unknown)], then: .go(s.next))
            case .mistyped: prompt([.named(s.mistyped)], then: .go(s.retry))
            }
        case (.faxQueued(let queued), .waitingQueue):
            guard case .faxQueue(_, let p, let next) = node.kind else { break }
            // Not queued (a store that cannot take it): the caller is not told it will come.
            if queued { prompt([p].compactMap { $0 }.map(PromptRef.named), bargeIn: false, then: .go(next)) } else { go(FlowNode.giveUpNode) }
        case (.voice(let v), _):
            voiceActive = v == .speech
            lastVoiceAt = now
        case (.played, _), (.tick, _), (.caseCreated, _), (.lookedUp, _), (.faxFinished, _), (.transferred, _), (.faxQueued, _):
            // Out of phase, and deliberately ignored: a prompt ending that the flow stopped
            // waiting for (a key cut it short), a tick with nothing due, an answer to a request
            // this node did not make.
            break
        }
        // Keys typed ahead answer the question as soon as one is asked.
        while !typeAhead.isEmpty, let then = waitingForKey {
            key(typeAhead.removeFirst(), for: then)
        }
        return out
    }

    /// What the caller is being asked, if anything.
    private var waitingForKey: After? {
        switch phase {
        case .keys(_, let then): then
        case .prompting(_, let then) where then.takesKeys: then
        case .idle, .prompting, .recording, .waitingCase, .waitingLookup, .waitingQueue, .faxing, .transferring, .ended: nil
        }
    }

    private func digit(_ d: Character) {
        if swallowHash {
            swallowHash = false
            if d == "#" { return }
        }
        switch phase {
        case .recording(let since):
            // Other keys are part of the message (a caller keying a house number).
            if d == "#", case .record(let r) = node.kind, r.endOnHash { endRecording(since) }
        case .faxing, .transferring, .ended:
            // The fax's tones, or keys while the caller is on hold.
            break
        case .idle, .prompting, .keys, .waitingCase, .waitingLookup, .waitingQueue:
            if let then = waitingForKey, typeAhead.isEmpty {
                key(d, for: then)
            } else if typeAhead.count < Self.typeAheadLimit {
                typeAhead.append(d)
            }
        }
    }

    // MARK: Nodes

    private func go(_ target: String) {
        if target == "back" {
            // Back to the menu before the current one.
            if !menus.isEmpty { menus.removeLast() }
            enter(menus.popLast() ?? flow.startNode(context.entry))
        } else {
            enter(target)
        }
    }

    private func enter(_ name: String) {
        guard let next = flow.nodes[name] else { return finish() }
        let reentry = next.name == node.name && !path.isEmpty
        node = next
        path.append(name)
        emit(.visited(name))
        if !reentry { retries = 0 }
        switch next.kind {
        case .menu(let m):
            if let when = m.when, !context.isOpen(when.service, now) { return go(when.closed) }
            if menus.last != name { menus.append(name) }
            prompt([.named(m.prompt)], then: .awaitKey)
        case .play(let prompts, let nextNode):
            prompt(prompts.map(PromptRef.named), then: .go(nextNode))
        case .readBack(let p, let value, let nextNode):
            let number = value == .caseNumber ? lastCaseNumber : query
            prompt([.named(p)] + (number.isEmpty ? [] : [.digits(number)]), bargeIn: false, then: .go(nextNode))
        case .record(let r):
            messageExists = false
            caseMade = false
            shortTakes = 0
            prompt([.named(r.intro)] + (r.beep ? [.beep] : []), bargeIn: false, then: .startRecording)
        case .collect(let c):
            collected = ""
            prompt([.named(c.prompt)], then: .awaitDigits)
        case .status:
            emit(.lookUp(query))
            phase = .waitingLookup
        case .survey(let s):
            question = 0
            if let intro = s.intro {
                prompt([.named(intro), .named(s.questions[0].prompt)], then: .question)
            } else {
                prompt([.named(s.questions[0].prompt)], then: .question)
            }
        case .faxReceive:
            emit(.receiveFax)
            phase = .faxing(callerFax: false)
        case .faxSend(let document, let p, _):
            prompt([p].compactMap { $0 }.map(PromptRef.named), bargeIn: false, then: .fax(document))
        case .faxQueue(let document, _, _):
            emit(.queueFax(document: document, number: query))
            phase = .waitingQueue
        case .transfer(let t):
            let open = context.isOpen(t.service, now)
            if let number = t.number ?? context.transferNumber, open {
                prompt([.named(t.prompt)], bargeIn: false, then: .transfer(number))
            } else if let closed = t.closed, !open {
                go(closed)
            } else {
                prompt([.named(t.unavailablePrompt)], then: .go(t.unavailable))
            }
        case .goto(let target):
            go(target)
        case .back:
            go("back")
        case .hangUp(let p):
            prompt([p].compactMap { $0 }.map(PromptRef.named), bargeIn: false, then: .hangUp)
        }
    }

    /// Leaves the node for its single next node (after a fax, say).
    private func advance() {
        switch node.kind {
        case .faxReceive(let next), .faxSend(_, _, let next), .faxQueue(_, _, let next), .play(_, let next), .readBack(_, _, let next): go(next)
        case .menu, .record, .collect, .status, .survey, .transfer, .goto, .back, .hangUp: finish()
        }
    }

    private func proceed(_ then: After) {
        switch then {
        case .go(let target): go(target)
        case .startRecording:
            if case .record(let r) = node.kind { emit(.startMessage(r.caseKind)) }
            typeAhead.removeAll(keepingCapacity: true)
            messageExists = true
            lastVoiceAt = now
            voiceActive = false
            phase = .recording(since: now)
        case .awaitKey, .confirmMessage, .question, .awaitDigits, .confirmDigits:
            phase = .keys(until: now + keyTimeout(then), for: then)
        case .fax(let document):
            emit(.sendFax(document: document))
            phase = .faxing(callerFax: false)
        case .transfer(let number):
            guard case .transfer(let t) = node.kind else { return finish() }
            emit(.transfer(number: number, noAnswerMs: t.timeoutMs))
            phase = .transferring
        case .hangUp:
            finish()
        }
    }

    /// How long the node waits for a key: between the digits of a number, its inter-digit time.
    private func keyTimeout(_ then: After) -> Int {
        switch node.kind {
        case .menu(let m): m.timeoutMs
        case .collect(let c): then == .awaitDigits && !collected.isEmpty ? c.interDigitMs : c.timeoutMs
        case .survey(let s): s.timeoutMs
        // The confirmation after a recording, and nodes that never wait for keys.
        case .record, .play, .readBack, .status, .faxReceive, .faxSend, .faxQueue, .transfer, .goto, .back, .hangUp: 8000
        }
    }

    private func key(_ d: Character, for then: After) {
        switch (node.kind, then) {
        case (.menu(let m), .awaitKey):
            if let target = m.keys[d] {
                emit(.stopPlayback)
                if let question = m.answer { emit(.saveAnswer(survey: flow.name, question: question, answer: String(d))) }
                go(target)
            } else if d == "*" {
                ask(then)
            } else {
                retry(invalid: true, waiting: then)
            }
        case (.record(let r), .confirmMessage):
            switch d {
            case "1":
                emit(.stopPlayback)
                emit(.createCase(r.caseKind, complete: true))
                phase = .waitingCase
            case "2":
                emit(.stopPlayback)
                prompt([.message, .named(r.confirm)], then: .confirmMessage)
            case "3":
                emit(.stopPlayback)
                emit(.discardMessage)
                messageExists = false
                prompt([.named(r.cancelledPrompt)], then: .go(r.cancelled))
            case "*":
                ask(then)
            default:
                retry(invalid: true, waiting: then)
            }
        case (.collect(let c), .awaitDigits):
            switch d {
            case "*":
                ask(then)
            case "#" where collected.count >= c.minDigits:
                numberComplete(c)
            case "#":
                // Fewer digits than a number has.
                retry(invalid: true, waiting: then)
            default:
                guard d.isNumber else { return retry(invalid: true, waiting: then) }
                if collected.isEmpty { emit(.stopPlayback) }
                collected.append(d)
                phase = .keys(until: now + c.interDigitMs, for: .awaitDigits)
                if collected.count == c.digits {
                    swallowHash = true
                    numberComplete(c)
                }
            }
        case (.collect(let c), .confirmDigits):
            switch d {
            case "1":
                emit(.stopPlayback)
                query = collected
                go(c.next)
            case "2":
                emit(.stopPlayback)
                go(c.cancelled)
            case "*":
                ask(.awaitDigits)
            default:
                retry(invalid: true, waiting: then)
            }
        case (.survey(let s), .question):
            let q = s.questions[question]
            if d == "*" && !q.choices.contains(d) { return ask(then) }
            guard q.choices.contains(d) else { return retry(invalid: true, waiting: then) }
            emit(.stopPlayback)
            emit(.saveAnswer(survey: s.name, question: q.id, answer: String(d)))
            question += 1
            retries = 0
            if question < s.questions.count {
                prompt([.named(s.questions[question].prompt)], then: .question)
            } else {
                emit(.createCase(.survey, complete: true))
                phase = .waitingCase
            }
        case (.survey, _), (.menu, _), (.record, _), (.collect, _):
            // A key for a wait this node is not in (proceed only waits for keys a node asks for).
            break
        case (.play, _), (.readBack, _), (.status, _), (.faxReceive, _), (.faxSend, _), (.faxQueue, _), (.transfer, _), (.goto, _), (.back, _), (.hangUp, _):
            // Nodes that take no keys.
            break
        }
    }

    /// A number keyed in full (or ended with `#`): repeated back for confirmation, or taken.
    private func numberComplete(_ c: FlowNode.Collect) {
        if c.repeatPrompt != nil {
            prompt(question(.confirmDigits), then: .confirmDigits)
        } else {
            query = collected
            go(c.next)
        }
    }

    private func timedOut(_ then: After) {
        if case .record(let r) = node.kind, then == .confirmMessage, retries >= 2 {
            // The caller recorded and said nothing more: keep the message rather than lose it.
            emit(.createCase(r.caseKind, complete: true))
            phase = .waitingCase
            return
        }
        if case .collect(let c) = node.kind, then == .awaitDigits, !collected.isEmpty {
            // The inter-digit time ends a number long enough; a shorter one was keyed wrong.
            if collected.count >= c.minDigits { return numberComplete(c) }
            return retry(invalid: true, waiting: then)
        }
        retry(invalid: false, waiting: then)
    }

    /// The question the node asks while it waits for `then`, from its start.
    private func question(_ then: After) -> [PromptRef] {
        switch (node.kind, then) {
        case (.menu(let m), _): [.named(m.prompt)]
        case (.record(let r), _): [.named(r.confirm)]
        case (.collect(let c), .confirmDigits):
            [c.repeatPrompt].compactMap { $0 }.map(PromptRef.named) + [.digits(collected)] + [c.confirm].compactMap { $0 }.map(PromptRef.named)
        case (.collect(let c), _): [.named(c.prompt)]
        case (.survey(let s), _): [.named(s.questions[question].prompt)]
        case (.play, _), (.readBack, _), (.status, _), (.faxReceive, _), (.faxSend, _), (.faxQueue, _), (.transfer, _), (.goto, _), (.back, _), (.hangUp, _): []
        }
    }

    /// `*`: the question from its start, with what was keyed so far dropped; not a retry.
    private func ask(_ then: After) {
        emit(.stopPlayback)
        typeAhead.removeAll(keepingCapacity: true)
        if then == .awaitDigits { collected = "" }
        prompt(question(then), then: then)
    }

    /// Asks the question the node is waiting on again, after a wrong key or silence, each with
    /// its own words; after the node's retries, gives up politely. A message recorded and not
    /// yet confirmed is kept as an incomplete case, as for a hang-up.
    private func retry(invalid: Bool, waiting then: After) {
        retries += 1
        emit(.stopPlayback)
        typeAhead.removeAll(keepingCapacity: true)
        let (limit, onFail, invalidPrompt, noInputPrompt): (Int, String, String, String) = switch node.kind {
        case .menu(let m): (m.retries, m.onFail, m.invalid, m.noInput)
        case .record: (3, FlowNode.giveUpNode, FlowNode.invalidKeyPrompt, FlowNode.noInputPrompt)
        case .collect(let c): (3, c.onFail ?? c.cancelled, FlowNode.invalidKeyPrompt, FlowNode.noInputPrompt)
        case .survey(let s): (3, s.next, FlowNode.invalidKeyPrompt, FlowNode.noInputPrompt)
        case .play, .readBack, .status, .faxReceive, .faxSend, .faxQueue, .transfer, .goto, .back, .hangUp: (0, FlowNode.giveUpNode, "", "")
        }
        if retries > limit {
            if case .record(let r) = node.kind, messageExists && !caseMade {
                emit(.createCase(r.caseKind, complete: false))
                caseMade = true
            }
            go(flow.nodes[onFail] != nil ? onFail : flow.start)
            return
        }
        if then == .awaitDigits { collected = "" }
        prompt([.named(invalid ? invalidPrompt : noInputPrompt)] + question(then), then: then)
    }

    private func endRecording(_ since: Int) {
        guard case .record(let r) = node.kind else { return }
        emit(.stopMessage)
        let spoken = now - since
        if spoken < r.minMs && shortTakes < 2 {
            shortTakes += 1
            emit(.discardMessage)
            messageExists = false
            prompt([.named(r.tooShort)] + (r.beep ? [.beep] : []), bargeIn: false, then: .startRecording)
        } else {
            prompt([.named(r.confirm)], then: .confirmMessage)
        }
    }

    private func prompt(_ refs: [PromptRef], bargeIn: Bool = true, then: After) {
        guard !refs.isEmpty else { return proceed(then) }
        playID += 1
        emit(.play(refs, id: playID, bargeIn: bargeIn))
        phase = .prompting(id: playID, then: then)
    }

    private func finish() {
        emit(.hangUp)
        phase = .ended
    }

    private func emit(_ action: FlowAction) { out.append(action) }
}
