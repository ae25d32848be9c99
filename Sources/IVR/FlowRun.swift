import DSP
import HotlineModel

/// What a flow plays: a named prompt, a number read digit by digit, the beep, or the caller's
/// own message (replay).
package enum PromptRef: Equatable, Sendable {
    case named(String)
    case digits(String)
    case beep
    case message
}

package enum LookupOutcome: Equatable, Sendable {
    case found(CaseStatus)
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
    case transfer
    case hangUp
    case visited(String)
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
        case transfer
        case hangUp
    }

    private enum Phase: Equatable {
        case idle
        case prompting(id: Int32, then: After)
        case keys(until: Int, for: After)
        case recording(since: Int)
        case waitingCase
        case waitingLookup
        case faxing(callerFax: Bool)
        case ended
    }

    package let flow: Flow
    package let transferAvailable: Bool
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
    package private(set) var path: [String] = []
    private var now = 0
    private var out: [FlowAction] = []

    package init(flow: Flow, transferAvailable: Bool) {
        self.flow = flow
        self.transferAvailable = transferAvailable
        node = flow.nodes[flow.start]!
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
            enter(flow.start)
        case (.hungUp, _):
            if case .recording = phase { emit(.stopMessage) }
            if messageExists && !caseMade, case .record(let r) = node.kind { emit(.createCase(r.caseKind, complete: false)) }
            phase = .ended
        case (.faxDetected, .faxing):
            break
        case (.faxDetected, _):
            emit(.stopPlayback)
            if case .recording = phase { emit(.stopMessage); emit(.discardMessage); messageExists = false }
            emit(.receiveFax)
            phase = .faxing(callerFax: true)
        case (.faxFinished, .faxing(let callerFax)):
            if callerFax { finish() } else { advance() }
        case (.played(let id, _), .prompting(let waiting, let then)) where id == waiting:
            proceed(then)
        case (.digit(let d), .prompting(_, let then)) where then == .awaitKey || then == .confirmMessage || then == .question || then == .awaitDigits || then == .confirmDigits:
            key(d, for: then)
        case (.digit(let d), .keys(_, let then)):
            key(d, for: then)
        case (.tick, .keys(let until, let then)) where now >= until:
            timedOut(then)
        case (.digit("#"), .recording(let since)) where Self.endsOnHash(node):
            endRecording(since)
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
            case .found(let status): prompt([.named(s.statusPrompts[status] ?? s.unknown)], then: .go(s.next))
            case .unknown: prompt([.named(s.unknown)], then: .go(s.next))
            case .mistyped: prompt([.named(s.mistyped)], then: .go(s.retry))
            }
        case (.voice(let v), _):
            voiceActive = v == .speech
            lastVoiceAt = now
        case (.played, _), (.digit, _), (.tick, _), (.caseCreated, _), (.lookedUp, _), (.faxFinished, _):
            // Out of phase, and deliberately ignored: a prompt ending that the flow stopped
            // waiting for (a key cut it short), a key while nothing asks, a tick with nothing
            // due, an answer to a request this node did not make.
            break
        }
        return out
    }

    private static func endsOnHash(_ node: FlowNode) -> Bool {
        if case .record(let r) = node.kind { r.endOnHash } else { false }
    }

    // MARK: Nodes

    private func go(_ target: String) {
        if target == "back" {
            // Back to the menu before the current one.
            if !menus.isEmpty { menus.removeLast() }
            enter(menus.popLast() ?? flow.start)
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
        case .transfer(let t):
            if transferAvailable { prompt([.named(t.prompt)], bargeIn: false, then: .transfer) } else {
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
        case .faxReceive(let next), .faxSend(_, _, let next), .play(_, let next), .readBack(_, _, let next): go(next)
        case .menu, .record, .collect, .status, .survey, .transfer, .goto, .back, .hangUp: finish()
        }
    }

    private func proceed(_ then: After) {
        switch then {
        case .go(let target): go(target)
        case .startRecording:
            if case .record(let r) = node.kind { emit(.startMessage(r.caseKind)) }
            messageExists = true
            lastVoiceAt = now
            voiceActive = false
            phase = .recording(since: now)
        case .awaitKey, .confirmMessage, .question, .awaitDigits, .confirmDigits:
            phase = .keys(until: now + keyTimeout, for: then)
        case .fax(let document):
            emit(.sendFax(document: document))
            phase = .faxing(callerFax: false)
        case .transfer:
            emit(.transfer)
            phase = .ended
        case .hangUp:
            finish()
        }
    }

    /// How long the node waits for a key.
    private var keyTimeout: Int {
        switch node.kind {
        case .menu(let m): m.timeoutMs
        case .collect(let c): c.timeoutMs
        case .survey(let s): s.timeoutMs
        // The confirmation after a recording, and nodes that never wait for keys.
        case .record, .play, .readBack, .status, .faxReceive, .faxSend, .transfer, .goto, .back, .hangUp: 8000
        }
    }

    private func key(_ d: Character, for then: After) {
        switch (node.kind, then) {
        case (.menu(let m), .awaitKey):
            if let target = m.keys[d] {
                emit(.stopPlayback)
                go(target)
            } else {
                retry(invalid: true)
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
            default:
                retry(invalid: true)
            }
        case (.collect(let c), .awaitDigits):
            guard d.isNumber else { return }
            if collected.isEmpty { emit(.stopPlayback) }
            collected.append(d)
            phase = .keys(until: now + c.timeoutMs, for: .awaitDigits)
            if collected.count == c.digits {
                if let repeatPrompt = c.repeatPrompt {
                    prompt([.named(repeatPrompt), .digits(collected)] + [c.confirm].compactMap { $0 }.map(PromptRef.named), then: .confirmDigits)
                } else {
                    query = collected
                    go(c.next)
                }
            }
        case (.collect(let c), .confirmDigits):
            emit(.stopPlayback)
            if d == "1" {
                query = collected
                go(c.next)
            } else if d == "2" {
                go(c.cancelled)
            } else {
                retry(invalid: true)
            }
        case (.survey(let s), .question):
            let q = s.questions[question]
            guard q.choices.contains(d) else { return retry(invalid: true) }
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
        case (.play, _), (.readBack, _), (.status, _), (.faxReceive, _), (.faxSend, _), (.transfer, _), (.goto, _), (.back, _), (.hangUp, _):
            // Nodes that take no keys.
            break
        }
    }

    private func timedOut(_ then: After) {
        if case .record(let r) = node.kind, then == .confirmMessage, retries >= 2 {
            // The caller recorded and said nothing more: keep the message rather than lose it.
            emit(.createCase(r.caseKind, complete: true))
            phase = .waitingCase
            return
        }
        if case .collect(let c) = node.kind, then == .awaitDigits, !collected.isEmpty, collected.count < c.digits {
            // Fewer digits than a number has: say so and ask again.
            collected = ""
        }
        retry(invalid: false)
    }

    /// Asks again after a wrong key or silence; after the node's retries, gives up politely.
    private func retry(invalid: Bool) {
        retries += 1
        emit(.stopPlayback)
        let (limit, onFail, again): (Int, String, [PromptRef]) = switch node.kind {
        case .menu(let m): (m.retries, m.onFail, [.named(invalid ? m.invalid : m.noInput), .named(m.prompt)])
        case .record(let r): (3, FlowNode.giveUpNode, [.named(FlowNode.invalidKeyPrompt), .named(r.confirm)])
        case .collect(let c): (3, c.cancelled, [.named(invalid ? FlowNode.invalidKeyPrompt : FlowNode.noInputPrompt), .named(c.prompt)])
        case .survey(let s): (3, s.next, [.named(invalid ? FlowNode.invalidKeyPrompt : FlowNode.noInputPrompt), .named(s.questions[question].prompt)])
        case .play, .readBack, .status, .faxReceive, .faxSend, .transfer, .goto, .back, .hangUp: (0, FlowNode.giveUpNode, [])
        }
        if retries > limit {
            go(flow.nodes[onFail] != nil ? onFail : flow.start)
            return
        }
        let then: After = switch node.kind {
        case .record: .confirmMessage
        case .collect: collected.count == 0 ? .awaitDigits : .confirmDigits
        case .survey: .question
        case .menu, .play, .readBack, .status, .faxReceive, .faxSend, .transfer, .goto, .back, .hangUp: .awaitKey
        }
        if case .collect = node.kind, then == .awaitDigits { collected = "" }
        prompt(again, then: then)
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
