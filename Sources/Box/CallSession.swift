import DSP
import Foundation
import HotlineModel
import IVR
import LineDriver
import LocalDB
import SystemSupport

/// What one call did, for the log line, the simulate report and tests.
package struct CallSummary: Codable, Sendable {
    package struct PromptPlayed: Codable, Sendable {
        package var prompt: String
        package var startMs: Int
        package var endMs: Int
        package var interrupted: Bool
    }

    package struct CaseMade: Codable, Sendable {
        package var number: String
        package var kind: String
        package var complete: Bool
        package var files: [String]
        package var durationMs: Int?
        package var pages: Int?
    }

    package var line: Int
    package var callID: Int
    package var callerNumber: String?
    package var answeredAtMs: Int?
    package var endedAtMs: Int?
    package var disconnectReason: DisconnectReason?
    package var disposition = Disposition.unanswered
    package var path: [String] = []
    package var digits = ""
    package var prompts: [PromptPlayed] = []
    package var cases: [CaseMade] = []
    package var fax: FaxResult?
    package var callRecording: String?
    /// How the transfer's call went, when the flow transferred.
    package var transfer: OutboundResult?
    /// The line a bridged transfer's answered call was on.
    package var bridgedLine: Int?
    /// A call the box placed for its outbound queue: the job, how the dialling went, and what
    /// the call achieved.
    package var job: Int?
    package var outbound: OutboundResult?
    package var outcome: OutboundOutcome?
    package var rating: SatisfactionRating?
}

/// One call on one line: turns channel events into flow inputs and flow actions into channel
/// commands, database writes and recordings. Runs on the box's event thread, never the frame
/// thread.
package final class CallSession {
    package let line: Int
    package let callID: Int
    private let box: Switchboard
    private let channel: LineChannel
    package private(set) var run: FlowRun?
    package private(set) var summary: CallSummary
    private let uid = UUID().uuidString.prefix(8).lowercased()
    private var items: [Int32: (prompt: String, flowID: Int32, last: Bool, audio: PromptAudio)] = [:]
    private var nextItem: Int32 = 0
    private var channelBusyUntilMs = 0
    private var recordings: [RecordingTap: (recording: CallRecorder.Recording, startedMs: Int)] = [:]
    private var finishedMessage: (path: String, durationMs: Int)?
    /// The case the caller last asked after, and its handling note's text.
    private var lookedUpNote: (number: AcceptanceNumber, text: String?)?
    private var discardMessage = false
    private var pendingCase: (kind: CaseKind, complete: Bool)?
    private var fax: (terminal: FaxTerminal, receiving: String?)?
    /// The consultation document being faxed back, for the fax result record.
    private var faxDocument: String?
    /// Channel commands due at a line time (a transfer's flash and dial, a hang-up after a prompt).
    private var scheduled: [(atMs: Int, command: ChannelCommand)] = []
    /// The line a bridged transfer calls on (`transfer: method: bridge`), from its seizure until
    /// it is let go.
    private var leg: Int?
    package private(set) var finished = false
    /// What this call's log lines are about: their `call=`, `case=` and `line=` fields (README).
    private var logFields: LogFields { fields(.info) }

    private func fields(_ severity: LogFields.Severity) -> LogFields {
        LogFields(severity, line: line, call: callID, caseNumber: summary.cases.last?.number ?? job?.request.caseNumber?.digits)
    }

    /// The menu answer a call-back keeps as the citizen's satisfaction rating.
    package static let ratingQuestion = "rating"
    /// The outbound job this call is an attempt of, and the attempt (nil: a caller rang in).
    package let job: OutboundJob?
    private var attempt: Int?
    /// The line went off-hook for the job's call: from then on no ring can take the line back.
    private var seized = false
    /// The job's attempt gave its line to callers: it does not count (`CaseStore.yielded`).
    private var yielded = false
    /// The call is giving its line to callers: the flow is done with it.
    private var givingWay = false
    /// A call-back's citizen reached the node that tells the result.
    private var heardResult = false
    /// The flow a job's call runs, as it was when the job was dialled (jobs are dialled only
    /// while there is one).
    private let jobFlow: Flow?

    package init(line: Int, box: Switchboard, at ms: Int, job: OutboundJob? = nil) throws {
        self.line = line
        self.box = box
        self.job = job
        jobFlow = job == nil ? nil : box.callbackFlow
        channel = box.loop.channels[line]
        callID = try box.store.beginCall(line: line, direction: job == nil ? .inbound : .outbound, at: box.timestamp(ms))
        summary = CallSummary(line: line, callID: callID)
        summary.job = job?.id
        if let job { summary.callerNumber = job.request.number }
    }

    /// Dials the job's number, once the attempt is on record; when the job was cancelled or
    /// taken meanwhile, the call is closed as not placed.
    package func dial(at ms: Int) {
        guard let job, let digits = DialString(job.request.number),
              let attempt = box.stored("an outbound attempt", line: line, { try box.store.beginOutboundAttempt(job: job.id, line: line, call: callID, at: box.timestamp(ms)) }) ?? nil
        else {
            summary.endedAtMs = ms
            finishIfDone(at: ms)
            return
        }
        self.attempt = attempt
        box.log("line \(line): \(job.request.kind.rawValue) job \(job.id): dialling \(job.request.number) (attempt \(job.attempts + 1) of \(job.request.maxAttempts))", logFields)
        channel.commands.push(.dial(digits, noAnswerMs: box.config.outbound.noAnswerMs))
    }

    /// A ring came in before the line was seized for the job: the caller has the line, and the
    /// job waits for another (the attempt does not count).
    package func yieldToRinging(at ms: Int) -> Bool {
        guard job != nil, !seized else { return false }
        summary.outbound = nil
        summary.endedAtMs = ms
        yielded = true
        box.log("line \(line): a caller rang as the job was dialled; the line is theirs", logFields)
        finishIfDone(at: ms)
        return true
    }

    /// A job's call ringing out: the box has seized the line and nobody has answered yet.
    package var ringingOut: Bool { job != nil && seized && summary.answeredAtMs == nil && summary.endedAtMs == nil }

    /// Callers have taken the lines the box keeps free: the box's own call gives its line to the
    /// next caller. Still ringing out, it hangs up and nobody hears a thing. An answered
    /// call-back says it will call again (`callback_gives_way`) and hangs up; the attempt does
    /// not count, unless the citizen has already heard the result, which ends the job as
    /// `heard`. A fax being sent keeps its line: cutting it would waste the pages sent.
    package func giveWay(at ms: Int) -> Bool {
        guard let job, seized, summary.endedAtMs == nil, !givingWay else { return false }
        let answered = summary.answeredAtMs != nil
        if answered && job.request.kind != .callback { return false }
        givingWay = true
        yielded = !heardResult
        box.log("line \(line): job \(job.id) gives its line to callers (none left free)"
                + (yielded ? "; it is dialled again later" : "; the result was heard"), logFields)
        if answered, let apology = box.prompts[Self.givingWayPrompt] {
            channel.commands.push(.stopPlayback)
            channel.commands.push(.play(apology, id: Self.givingWayPlayback, bargeIn: false))
        } else {
            channel.commands.push(.hangUp)
        }
        return true
    }

    /// What an answered call-back says as it gives its line to callers.
    package static let givingWayPrompt = "callback_gives_way"
    private static let givingWayPlayback: Int32 = -1

    package func callerID(_ id: CallerID) {
        summary.callerNumber = id.number
        box.stored("the caller ID", line: line) {
            try box.store.setCaller(call: callID, CallerInfo(number: id.number, name: id.name, absence: id.numberAbsence?.rawValue, standard: id.standard.rawValue))
        }
    }

    /// The answer on record: the summary's and the CDR's.
    private func recordAnswer(at ms: Int) {
        summary.answeredAtMs = ms
        summary.disposition = .answered
        box.stored("the answer time", line: line) { try box.store.answerCall(callID, at: box.timestamp(ms)) }
    }

    package func answered(at ms: Int) {
        recordAnswer(at: ms)
        // Below the recordings floor the whole call is not recorded; messages still are.
        if box.config.wholeCallRecording && box.disk.level == .ample {
            startRecording(.call, path: "\(box.recordingsDirectory)/call-\(callID)-\(uid).wav", stereo: true, at: ms)
        }
        let calendar = box.calendar
        let context = FlowContext(isOpen: { [unowned box] service, ms in calendar.isOpen(service, at: box.timestamp(ms)) },
                                  transferNumber: box.config.transferNumber, subject: job?.request.caseNumber?.digits,
                                  entry: job?.request.purpose?.rawValue)
        let run = FlowRun(flow: jobFlow ?? box.flow, context: context)
        self.run = run
        perform(run.handle(.start, at: ms), at: ms)
    }

    package func handle(_ event: ChannelEvent, at ms: Int) {
        if let job, summary.answeredAtMs == nil {
            switch event.kind {
            case .hook(.offHook): seized = true
            case .outbound(.answered):
                summary.outbound = .answered
                switch job.request.kind {
                case .callback: answered(at: ms)
                case .fax: faxAnswered(job.request.document ?? "", at: ms)
                }
            case .outbound(let result):
                // Not through: the supervisor has put the line back on-hook.
                summary.outbound = result
                summary.endedAtMs = ms
                box.log("line \(line): job \(job.id): \(result.rawValue)", logFields)
                finishIfDone(at: ms)
            default: break
            }
            return
        }
        // What a call does whether or not a flow runs on it (a fax job's has none).
        switch event.kind {
        case .faxFinished: return faxFinished(at: ms)
        case .recordingStopped(let tap): return recordingStopped(tap, at: ms)
        default: break
        }
        if givingWay {
            if case .playbackFinished(Self.givingWayPlayback, _) = event.kind { channel.commands.push(.hangUp) }
            return
        }
        guard let run else { return }
        switch event.kind {
        case .digitBegan(let d, _):
            summary.digits.append(d)
            perform(run.handle(.digit(d), at: ms), at: ms)
        case .playbackFinished(let id, let interrupted):
            guard let item = items.removeValue(forKey: id) else { return }
            let start = max(channelBusyUntilMs, summary.prompts.last.map { $0.endMs } ?? 0)
            summary.prompts.append(.init(prompt: item.prompt, startMs: min(start, ms), endMs: ms, interrupted: interrupted))
            if item.last { perform(run.handle(.played(id: item.flowID, interrupted: interrupted), at: ms), at: ms) }
        case .voice(let v):
            perform(run.handle(.voice(v), at: ms), at: ms)
        case .faxTone(let t) where t.tone == .cng && fax == nil:
            perform(run.handle(.faxDetected, at: ms), at: ms)
        case .consulted(let result):
            transferred(result, at: ms)
        default:
            break
        }
    }

    /// A fax job's call answered: the document goes as soon as the far machine listens.
    private func faxAnswered(_ document: String, at ms: Int) {
        recordAnswer(at: ms)
        guard let tiff = box.documents[document] else {
            // The document was taken out of the pack since the job was queued.
            box.log("line \(line): job \(job?.id ?? 0): no document \(document) to fax", logFields)
            channel.commands.push(.hangUp)
            return
        }
        faxDocument = document
        startFax(FaxSessionConfig(direction: .send(tiff: tiff), callingParty: true, ident: box.config.faxIdent), receiving: nil, at: ms)
    }

    /// An event on the line a bridged transfer called on.
    package func legEvent(_ event: ChannelEvent, at ms: Int) {
        guard let leg else { return }
        switch event.kind {
        case .outbound(.answered):
            channel.commands.push(.bridge(to: leg))
            box.loop.channels[leg].commands.push(.bridge(to: line))
            summary.bridgedLine = leg
            transferred(.answered, at: ms)
        case .outbound(let result):
            self.leg = nil
            transferred(result, at: ms)
        case .disconnected:
            // The desk hung up: the box lets the caller go too.
            self.leg = nil
            channel.commands.push(.hangUp)
        default:
            break
        }
    }

    /// How the transfer went, to the CDR, the log and the flow. Joined by a bridge, the box
    /// stays on the line: the flow ends, but the call lasts until one side hangs up.
    private func transferred(_ result: OutboundResult, at ms: Int) {
        guard let run else { return }
        summary.transfer = result
        if result == .answered { summary.disposition = .transferred }
        let joined = leg.map { "answered on line \($0), the caller bridged to it" } ?? "answered, the caller joined"
        box.log("line \(line): transfer \(result == .answered ? joined : "failed (\(result.rawValue)), the caller taken back")", logFields)
        let actions = run.handle(.transferred(result), at: ms)
        perform(leg == nil ? actions : actions.filter { $0 != .hangUp }, at: ms)
    }

    package func tick(at ms: Int) {
        while let step = scheduled.first, step.atMs <= ms {
            scheduled.removeFirst()
            channel.commands.push(step.command)
        }
        guard let run, !run.isEnded else { return }
        perform(run.handle(.tick, at: ms), at: ms)
    }

    /// The line is back on-hook: keep what was recorded, close the CDR once recordings are in.
    package func disconnected(_ reason: DisconnectReason, at ms: Int) {
        summary.disconnectReason = reason
        summary.endedAtMs = ms
        // The caller hung up: the line the box called the desk on is let go too.
        if let leg { box.loop.channels[leg].commands.push(.hangUp) }
        if let run { perform(run.handle(.hungUp, at: ms), at: ms) }
        for tap in recordings.keys { channel.commands.push(.stopRecording(tap)) }
        if summary.answeredAtMs == nil { summary.disposition = .unanswered }
        finishIfDone(at: ms)
    }

    // MARK: Actions

    private func perform(_ actions: [FlowAction], at ms: Int) {
        for action in actions {
            switch action {
            case .visited(let node):
                summary.path.append(node)
            case .play(let refs, let id, let bargeIn):
                play(refs, flowID: id, bargeIn: bargeIn, at: ms)
            case .stopPlayback:
                channel.commands.push(.stopPlayback)
            case .startMessage(let kind):
                discardMessage = false
                finishedMessage = nil
                // The name says whose and what it is, so a message cut off by a crash can still
                // become a case when the box comes back (CrashRecovery).
                startRecording(.message, path: "\(box.recordingsDirectory)/msg-\(kind.rawValue)-\(callID)-\(uid)-\(summary.path.count).wav", stereo: false, at: ms)
            case .stopMessage:
                channel.commands.push(.stopRecording(.message))
            case .discardMessage:
                discardMessage = true
                if let done = finishedMessage { try? FileManager.default.removeItem(atPath: done.path); finishedMessage = nil }
            case .createCase(let kind, let complete):
                pendingCase = (kind, complete)
                createPendingCase(at: ms)
            case .lookUp(let text):
                if job != nil { heardResult = true }
                lookUp(text, at: ms)
            case .saveAnswer(let survey, let question, let answer):
                if job != nil, question == Self.ratingQuestion { summary.rating = SatisfactionRating(rawValue: answer) }
                box.stored("a survey answer", line: line) {
                    try box.store.recordSurveyAnswer(call: callID, survey: survey, question: question, answer: answer, at: box.timestamp(ms))
                }
            case .receiveFax:
                let path = "\(box.faxDirectory)/fax-\(callID)-\(uid).tif"
                startFax(FaxSessionConfig(direction: .receive(tiff: path), callingParty: false, ident: box.config.faxIdent), receiving: path, at: ms)
            case .sendFax(let document):
                guard let tiff = box.documents[document] else { continue }
                faxDocument = document
                startFax(FaxSessionConfig(direction: .send(tiff: tiff), callingParty: true, ident: box.config.faxIdent), receiving: nil, at: ms)
            case .transfer(let number, let noAnswerMs):
                // The flow checked the number; a bad one is refused like a congested line.
                guard let digits = DialString(number) else {
                    perform(run?.handle(.transferred(.congestion), at: ms) ?? [], at: ms)
                    continue
                }
                switch box.config.transferMethod {
                case .flash:
                    channel.commands.push(.consult(digits, noAnswerMs: noAnswerMs))
                case .bridge:
                    // Every other line taken: as a congested exchange would answer.
                    guard let free = box.seizeLeg(for: line) else {
                        box.log("line \(line): transfer: no free line to call \(number) on", logFields)
                        transferred(.congestion, at: ms)
                        continue
                    }
                    leg = free
                    box.loop.channels[free].commands.push(.dial(digits, noAnswerMs: noAnswerMs))
                }
            case .queueFax(let document, let number):
                queueFax(document, to: number, at: ms)
            case .hangUp:
                channel.commands.push(.hangUp)
            }
        }
    }

    /// A fax job for `document` to the number the caller keyed; the flow hears whether it is
    /// queued (and only then tells the caller it will come).
    private func queueFax(_ document: String, to number: String, at ms: Int) {
        let now = box.timestamp(ms), settings = box.config.outbound
        let job = NewOutboundJob(clientID: "fax-\(callID)-\(uid)-\(summary.path.count)", kind: .fax, caseNumber: nil, number: number, document: document,
                                 maxAttempts: settings.attempts, retryAfterSeconds: settings.retryAfterSeconds, notBefore: now,
                                 expiresAt: now.addingTimeInterval(Double(settings.expiresAfterSeconds)))
        let queued = DialString(number) != nil && box.stored("a fax job", line: line, { try box.store.queueOutbound(job, at: now) }) != nil
        box.log("line \(line): fax of \(document) to \(number) \(queued ? "queued" : "not queued")", logFields)
        if let run { perform(run.handle(.faxQueued(queued), at: ms), at: ms) }
    }

    private func play(_ refs: [PromptRef], flowID: Int32, bargeIn: Bool, at ms: Int) {
        var audio: [(String, PromptAudio)] = []
        for ref in refs {
            switch ref {
            case .named(let name): if let p = box.prompts[name] { audio.append((name, p)) }
            case .digits(let number): audio += zip(number.map { "digit_\($0)" }, box.prompts.digits(number)).map { ($0, $1) }
            case .beep: if let p = box.prompts[PromptLibrary.beepName] { audio.append((PromptLibrary.beepName, p)) }
            case .message:
                if let done = finishedMessage, let samples = try? WAVFile.read(done.path) {
                    audio.append(("message", PromptAudio(name: "message", samples: samples)))
                }
            case .note:
                // A note not (yet) spoken, or spoken from other words, is left out.
                if let (number, text) = lookedUpNote, let p = box.notes.audio(for: number, note: text) { audio.append(("note", p)) }
            }
        }
        if items.isEmpty { channelBusyUntilMs = ms }
        if audio.isEmpty, let run {
            // Nothing to play (a prompt missing from the pack): carry on as if it had played.
            perform(run.handle(.played(id: flowID, interrupted: false), at: ms), at: ms)
            return
        }
        for (i, (name, prompt)) in audio.enumerated() {
            nextItem += 1
            items[nextItem] = (name, flowID, i == audio.count - 1, prompt)
            channel.commands.push(.play(prompt, id: nextItem, bargeIn: bargeIn))
        }
    }

    private func startRecording(_ tap: RecordingTap, path: String, stereo: Bool, at ms: Int) {
        let recording: CallRecorder.Recording
        do { recording = try box.recorder.start(path: path, stereo: stereo) } catch {
            box.log("line \(line): recording not started: \(error)", fields(.error))
            return
        }
        recordings[tap] = (recording, ms)
        channel.commands.push(.record(recording.ring, stereo: stereo, tap: tap))
    }

    private func recordingStopped(_ tap: RecordingTap, at ms: Int) {
        guard let (recording, started) = recordings.removeValue(forKey: tap) else { return }
        box.recorder.finish(recording)
        let duration = ms - started
        switch tap {
        case .message:
            if discardMessage {
                try? FileManager.default.removeItem(atPath: recording.path)
            } else {
                finishedMessage = (recording.path, duration)
            }
            createPendingCase(at: ms)
        case .call:
            summary.callRecording = recording.path
            box.stored("the whole-call recording", line: line) {
                try box.store.addMedia(NewMedia(kind: .callRecording, path: recording.path, durationMs: duration), call: callID, at: box.timestamp(ms))
            }
        case .technician:
            // Sessions never record on the technician's tap; the switchboard handles it.
            break
        }
        finishIfDone(at: ms)
    }

    /// Creates the case the flow asked for once its message (if any) is on disk, then tells the
    /// flow its number — only after the case has been committed.
    private func createPendingCase(at ms: Int) {
        guard let (kind, complete) = pendingCase, recordings[.message] == nil else { return }
        pendingCase = nil
        var media: [NewMedia] = []
        if let message = finishedMessage, kind != .survey {
            media.append(NewMedia(kind: .recording, path: message.path, durationMs: message.durationMs, complete: complete))
            finishedMessage = nil
        }
        guard let made = box.stored("a \(kind.rawValue) case", line: line, {
            try box.store.createCase(kind: kind, call: callID, callerNumber: summary.callerNumber, complete: complete, media: media,
                                     reopens: kind == .reopen ? job?.request.caseNumber : nil, at: box.timestamp(ms))
        }) else {
            // The caller is told, not cut off: "service busy", then the line is released.
            let busy = box.prompts[Switchboard.busyPromptName]
            if let busy { channel.commands.push(.play(busy, id: 0, bargeIn: false)) }
            scheduled.append((ms + (busy?.durationMs ?? 0) + 300, .hangUp))
            return
        }
        summary.cases.append(.init(number: made.number.digits, kind: kind.rawValue, complete: complete, files: media.map(\.path),
                                   durationMs: media.first?.durationMs, pages: nil))
        summary.disposition = .caseCreated
        box.log("line \(line): \(kind.rawValue) case \(made.number) created\(complete ? "" : " (incomplete, kept)")", logFields)
        if let run { perform(run.handle(.caseCreated(made.number), at: ms), at: ms) }
    }

    private func lookUp(_ text: String, at ms: Int) {
        let outcome: LookupOutcome
        do {
            let number = try AcceptanceNumber(validating: text)
            // A store that cannot be read answers as for an unknown number; the failure is logged.
            let found = box.stored("a status look-up", line: line, { try box.store.callerStatus(number) }).flatMap { $0 }
            lookedUpNote = found.map { (number, $0.note) }
            outcome = found.map { .found($0.status, note: $0.note != nil || box.notes.hasRecording(number)) } ?? .unknown
        } catch {
            outcome = .mistyped
        }
        if let run { perform(run.handle(.lookedUp(outcome), at: ms), at: ms) }
    }

    private func startFax(_ config: FaxSessionConfig, receiving: String?, at ms: Int) {
        do {
            let terminal = try FaxTerminal(config)
            fax = (terminal, receiving)
            channel.commands.push(.stopPlayback)
            channel.commands.push(.fax(terminal))
        } catch {
            box.log("line \(line): fax not started: \(error)", fields(.error))
            if let run { perform(run.handle(.faxFinished(success: false), at: ms), at: ms) }
        }
    }

    private func faxFinished(at ms: Int) {
        guard let (terminal, receiving) = fax else { return }
        terminal.abandon("the line was hung up during the fax")
        guard let result = terminal.result else { return }
        fax = nil
        summary.fax = result
        box.stored("the fax result", line: line) {
            try box.store.recordFaxResult(call: callID, direction: receiving == nil ? .send : .receive, success: result.success, pages: result.pages,
                                          reason: result.success ? nil : result.completionText, document: receiving == nil ? faxDocument : nil,
                                          at: box.timestamp(ms))
        }
        if let path = receiving, result.pages > 0, FileManager.default.fileExists(atPath: path) {
            // A fax whose case cannot be stored now stays in the fax directory; crash recovery
            // makes its case at the next start.
            if let made = box.stored("a fax case", line: line, {
                try box.store.createCase(kind: .fax, call: callID, callerNumber: summary.callerNumber, complete: result.success,
                                         media: [NewMedia(kind: .fax, path: path, pages: result.pages, complete: result.success)], at: box.timestamp(ms))
            }) {
                summary.cases.append(.init(number: made.number.digits, kind: "fax", complete: result.success, files: [path], durationMs: nil, pages: result.pages))
                summary.disposition = .faxReceived
                box.log("line \(line): fax case \(made.number) created, \(result.pages) pages", logFields)
            }
        } else if receiving == nil {
            summary.disposition = result.success ? .faxSent : .faxFailed
        }
        if let run { perform(run.handle(.faxFinished(success: result.success), at: ms), at: ms) } else if job != nil { channel.commands.push(.hangUp) }
    }

    /// What an answered job's call achieved; nil when it achieved nothing (tried again).
    private var jobOutcome: OutboundOutcome? {
        guard let job, summary.answeredAtMs != nil else { return nil }
        if job.request.kind == .fax { return summary.fax?.success == true ? .sent : nil }
        if summary.rating != nil { return .rated }
        if heardResult { return .heard }
        // Nobody keyed anything and the flow said its piece to the end: a machine took it.
        if summary.digits.isEmpty && run?.isEnded == true && summary.disconnectReason == .local { return .heardByMachine }
        return nil
    }

    private func finishIfDone(at ms: Int) {
        guard !finished, summary.endedAtMs != nil, recordings.isEmpty, pendingCase == nil, fax == nil else { return }
        finished = true
        if let attempt {
            summary.outcome = jobOutcome
            let result = yielded ? CaseStore.yielded : (summary.outbound ?? .lineDropped).rawValue
            if let job = box.stored("the outbound attempt's end", line: line, {
                try box.store.endOutboundAttempt(attempt, result: result, outcome: summary.outcome, rating: summary.rating,
                                                 pages: summary.fax.map(\.pages), at: box.timestamp(ms))
            }) ?? nil, job.state == .done {
                summary.outcome = job.outcome
                box.log("line \(line): \(job.request.kind.rawValue) job \(job.id) done: \(job.outcome?.rawValue ?? "")", logFields)
            }
        }
        box.stored("the end of the call", line: line) {
            try box.store.finishCall(callID, at: box.timestamp(ms), disconnectReason: summary.disconnectReason, disposition: summary.disposition,
                                     ivrPath: summary.path, digits: summary.digits)
        }
        box.callEnded(self)
    }
}
