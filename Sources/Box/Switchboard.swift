import DSP
import Foundation
import HotlineModel
import IVR
import LineDriver
import LocalDB
import SystemSupport

/// The box's event side: drains every channel's events, keeps one `CallSession` per call in
/// progress, and ticks their flows in line time. It runs on one thread (the simulate loop, or
/// the daemon's event thread), never on the frame thread.
package final class Switchboard {
    package let loop: FrameLoop
    package let store: CaseStore
    package let recorder: CallRecorder
    package private(set) var prompts: PromptLibrary
    package private(set) var documents: [String: String]
    package let config: BoxConfig
    package let recordingsDirectory: String
    package let faxDirectory: String
    package let notes: HandlingNotes
    package private(set) var flow: Flow
    /// The flow a call-back runs once the citizen answers; without one, no job is dialled.
    package private(set) var callbackFlow: Flow?
    /// The service calendar in force (pushed, or the config's).
    package private(set) var calendar: ServiceCalendar
    private let clock: WallClock
    private var jumps = ClockJumpWatch()
    /// Line time of the last look for a clock jump (once a second is plenty).
    private var lastClockCheckMs: Int?
    private let nowMs: () -> Int
    private var sessions: [Int: CallSession] = [:]
    /// Lines the box has seized for a bridged transfer, and the caller's line each serves.
    private var legs: [Int: Int] = [:]
    /// Line time of the last look at the outbound queue (once a second is plenty).
    private var lastOutboundCheckMs: Int?
    /// The last caller's ring on any line (line time, ms): outbound waits while callers arrive.
    private var lastRingMs: Int?

    /// What each line is doing, as the technician's `lines` command shows it.
    package enum LineState: String, CaseIterable, Sendable {
        case idle
        case ringing
        case inCall = "in call"
        case testing
    }

    package struct LineStatus {
        package var state = LineState.idle
        package var since = 0
        package var caller: String?
        package var recent: [String] = []
    }
    package private(set) var lineStatus: [Int: LineStatus] = [:]
    /// Line tests in progress: called with (dial tone, level) when each ends.
    package var lineTests: [Int: (Bool, Int) -> Void] = [:]
    /// Prompt recordings by a technician: called when the line has let go of the ring.
    package var technicianRecordings: [Int: () -> Void] = [:]
    package private(set) var finished: [CallSummary] = []
    package var onLog: (String, LogFields) -> Void = { line, _ in print(line) }
    package var onCallEnded: (CallSummary) -> Void = { _ in }
    /// The data disk's state, from its free space.
    package private(set) var disk: DiskGuard
    private let diskFreeBytes: () -> Int
    /// Lines whose call is being told "service busy" (no session: a full disk or a store that
    /// cannot take the call).
    private var busyLines: Set<Int> = []
    /// Why calls are being turned away, logged when it starts and when it ends, not per call.
    private var refusing: String?
    /// Turned-away callers who heard the busy prompt to its end, since calls were last handled.
    private var heardBusy = 0
    package static let busyPromptName = "service_busy"
    private static let busyPlayback: Int32 = -1

    package init(loop: FrameLoop, store: CaseStore, recorder: CallRecorder, prompts: PromptLibrary, documents: [String: String], flow: Flow,
         callbackFlow: Flow?, calendar: ServiceCalendar, config: BoxConfig, dataDirectory: String, clock: WallClock, nowMs: @escaping () -> Int, diskFreeBytes: @escaping () -> Int = { Int.max }) throws {
        self.loop = loop
        self.diskFreeBytes = diskFreeBytes
        disk = config.disk
        self.store = store
        self.recorder = recorder
        self.prompts = prompts
        self.documents = documents
        self.flow = flow
        self.callbackFlow = callbackFlow
        self.calendar = calendar
        self.config = config
        self.clock = clock
        self.nowMs = nowMs
        recordingsDirectory = "\(dataDirectory)/recordings"
        faxDirectory = "\(dataDirectory)/faxes"
        notes = HandlingNotes(dataDirectory: dataDirectory)
        for dir in [recordingsDirectory, faxDirectory] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    }

    package var activeCalls: Int { sessions.count }

    /// A flow that passed validation replaces the running one for calls that start from now on.
    package func replaceFlow(_ newFlow: Flow) { flow = newFlow }
    package func replaceCallbackFlow(_ newFlow: Flow?) { callbackFlow = newFlow }
    package func replacePrompts(_ library: PromptLibrary) { prompts = library }
    package func replaceDocuments(_ map: [String: String]) { documents = map }
    package func replaceCalendar(_ newCalendar: ServiceCalendar) { calendar = newCalendar }

    /// Wall-clock time of a moment of line time: the clock as it reads now, less the line time
    /// since (an event is handled a frame or two after it happened).
    package func timestamp(_ ms: Int) -> Date {
        clock.wall().addingTimeInterval(-Double(max(0, nowMs() - ms)) / 1000)
    }

    /// Once a second: has the wall clock jumped? Then say so, and mark the calls in progress,
    /// whose times straddle the jump.
    private func watchClock(at now: Int) {
        guard Self.secondHasPassed(since: &lastClockCheckMs, at: now) else { return }
        guard let jump = jumps.observe(wall: clock.wall(), monotonic: clock.monotonic()) else { return }
        let marked = sessions.values.filter { s in stored("a clock jump on call \(s.callID)", line: s.line) { try store.markClockJump(call: s.callID, byMs: jump) } != nil }
        log("clock: the wall clock jumped \(jump > 0 ? "forward" : "back") by \(String(format: "%.1f", Double(abs(jump)) / 1000)) s; "
            + "\(marked.count) calls in progress marked (clock_jump_ms)")
    }

    package func log(_ line: String, _ fields: LogFields = LogFields()) { onLog(line, fields) }

    /// Store writes from the call path that failed (a locked or full store): each is logged,
    /// and the count shows in health and on the fault LED; the call itself goes on and ends.
    package private(set) var storeFailures = 0
    /// Line time of the last store or recorder failure.
    private var lastFaultMs: Int?
    /// How long a failure keeps the fault LED lit: it goes out by itself once things work again.
    package static let faultHoldMs = 60_000

    package var recentFault: Bool { lastFaultMs.map { nowMs() - $0 < Self.faultHoldMs } ?? false }

    /// `write`'s result, or nil after logging and counting its failure.
    @discardableResult
    package func stored<T>(_ what: String, line: Int, _ write: () throws -> T) -> T? {
        do { return try write() } catch {
            storeFailed()
            log("line \(line): could not store \(what): \(error)", LogFields(.error, line: line))
            return nil
        }
    }

    private func storeFailed() {
        storeFailures += 1
        lastFaultMs = nowMs()
    }

    /// Handles everything the channels reported, then lets every flow see the time.
    package func poll() {
        // Before the events: a call that starts now already meets the disk as it is.
        if let level = disk.update(freeBytes: diskFreeBytes()) {
            log(disk.warning.map { "disk: \($0)" } ?? "disk: space is back (\(level.rawValue)); calls are handled in full again")
            if level != .ample { lastFaultMs = nowMs() }
        }
        for channel in loop.channels {
            while let event = channel.events.pop() { handle(event, channel.index) }
        }
        let now = nowMs()
        watchClock(at: now)
        // The recorder's write errors (a full disk), from its thread, into the log.
        while let problem = recorder.errors.pop() {
            log("recorder: \(problem)", LogFields(.error))
            lastFaultMs = now
        }
        for session in Array(sessions.values) { session.tick(at: now) }
        dialOutboundIfDue(at: now)
    }

    /// Once a second: the queue's next due job is dialled on a free line, inside the calling
    /// window, only while more lines than `keep_free_lines` are free, so callers always find
    /// one, and not while callers are arriving (`quiet_after_ring`). Should callers take those
    /// lines anyway, one of the box's own calls gives way (`keepLinesFree`).
    private func dialOutboundIfDue(at now: Int) {
        guard Self.secondHasPassed(since: &lastOutboundCheckMs, at: now) else { return }
        if let lastRingMs, now - lastRingMs < config.outbound.quietAfterRingMs { return }
        let wall = timestamp(now)
        let free = freeLines()
        guard let job = stored("the outbound queue", line: free.first ?? 0, { () throws -> OutboundJob? in
            try store.expireOutbound(at: wall)
            guard disk.level != .full, free.count > config.outbound.keepFreeLines, calendar.isOpen(ServiceCalendar.callbacks, at: wall) else { return nil }
            // Call-backs wait while there is no flow for them; fax jobs need none.
            return try store.nextDueOutbound(at: wall, kinds: callbackFlow == nil ? [.fax] : Set(OutboundJobKind.allCases))
        }) ?? nil, let line = free.first else { return }
        do {
            let session = try CallSession(line: line, box: self, at: now, job: job)
            sessions[line] = session
            note(line, "\(job.request.kind.rawValue) job \(job.id) to \(job.request.number)", state: .inCall, at: now)
            session.dial(at: now)
        } catch {
            storeFailed()
            log("line \(line): job \(job.id) not dialled: \(error)", LogFields(.error, line: line))
        }
    }

    /// Callers took the lines `keep_free_lines` holds back: one of the box's own calls gives its
    /// line way at each such ring, so the next caller is not turned away because of it. A call
    /// still ringing out goes first, as nobody hears it go (`CallSession.giveWay`).
    private func keepLinesFree(at ms: Int) {
        guard freeLines().count < config.outbound.keepFreeLines else { return }
        let order = sessions.values.sorted { ($0.ringingOut ? 0 : 1, -$0.line) < ($1.ringingOut ? 0 : 1, -$1.line) }
        for session in order where session.giveWay(at: ms) { return }
    }

    /// Whether a second of line time has passed since `last` (never looked: yes), noting `now`
    /// as the last look when it has.
    private static func secondHasPassed(since last: inout Int?, at now: Int) -> Bool {
        if let last, (last...(last + 999)).contains(now) { return false }
        last = now
        return true
    }

    private func note(_ line: Int, _ what: String, state: LineState? = nil, at ms: Int) {
        var status = lineStatus[line] ?? LineStatus()
        if let state { status.state = state; status.since = ms }
        status.recent.append("\(ms / 1000)s \(what)")
        if status.recent.count > 5 { status.recent.removeFirst() }
        lineStatus[line] = status
    }

    private func handle(_ event: ChannelEvent, _ line: Int) {
        let ms = SampleClock.ms(event.at)
        switch event.kind {
        case .ringing(let n): note(line, "ring \(n)", state: .ringing, at: ms); lastRingMs = nowMs()
        case .answered: note(line, "answered", state: .inCall, at: ms)
        case .disconnected(let r): note(line, "ended: \(r.rawValue)", state: .idle, at: ms); lineStatus[line]?.caller = nil
        // A call the box placed that did not get through: the supervisor put the line back on-hook.
        case .outbound(let r) where r != .answered: note(line, "called: \(r.rawValue)", state: .idle, at: ms)
        case .lineTested(let tone, let level):
            note(line, "line test: \(tone ? "dial tone" : "no dial tone") at \(level) dBm0", state: .idle, at: ms)
            lineTests.removeValue(forKey: line)?(tone, level)
        case .hook(.offHook) where lineStatus[line]?.state == .idle || lineStatus[line] == nil: note(line, "off-hook", state: .testing, at: ms)
        case .digit(let d): note(line, "digit \(d.digit)", at: ms)
        case .faxTone(let t): note(line, "fax tone \(t.tone.rawValue)", at: ms)
        case .tone(let t): note(line, "\(t.kind.rawValue) tone", at: ms)
        default: break
        }
        if busyLines.contains(line) { return turnAway(event, line) }
        if let owner = legs[line] {
            switch event.kind {
            case .outbound(let result) where result != .answered: legs[line] = nil
            case .disconnected: legs[line] = nil
            default: break
            }
            sessions[owner]?.legEvent(event, at: ms)
            return
        }
        switch event.kind {
        case .ringing:
            // A caller rang as the box was about to seize the line for a job: the caller wins.
            _ = sessions[line]?.yieldToRinging(at: ms)
            _ = session(line, at: ms)
            keepLinesFree(at: ms)
        case .callerID(let spill):
            if let id = CallerIDReceiver.decode(spill) {
                session(line, at: ms)?.callerID(id)
                lineStatus[line, default: LineStatus()].caller = id.number ?? id.numberAbsence?.rawValue
            }
        case .answered:
            session(line, at: ms)?.answered(at: ms)
        case .disconnected(let reason):
            sessions[line]?.disconnected(reason, at: ms)
        case .recordingStopped(.technician):
            technicianRecordings.removeValue(forKey: line)?()
        default:
            sessions[line]?.handle(event, at: ms)
        }
    }

    private func session(_ line: Int, at ms: Int) -> CallSession? {
        if let s = sessions[line] { return s }
        guard disk.level != .full else {
            refuse(line, because: disk.warning ?? "the data disk is full")
            return nil
        }
        do {
            let s = try CallSession(line: line, box: self, at: ms)
            sessions[line] = s
            if let why = refusing {
                refusing = nil
                log("calls are handled again (\(heardBusy) heard \"service busy\" meanwhile; they were turned away: \(why))")
                heardBusy = 0
            }
            return s
        } catch {
            storeFailed()
            refuse(line, because: "the case store cannot record a call: \(error)")
            return nil
        }
    }

    /// The call on `line` will hear "service busy" once answered and be hung up.
    private func refuse(_ line: Int, because why: String) {
        busyLines.insert(line)
        if refusing != why {
            refusing = why
            log("calls are turned away with \"service busy\": \(why)", LogFields(.warning))
        }
    }

    /// A turned-away call: answered as usual, the busy prompt (or, without one, nothing), then
    /// the line is hung up; it ends with the disconnect.
    private func turnAway(_ event: ChannelEvent, _ line: Int) {
        let channel = loop.channels[line]
        switch event.kind {
        case .answered:
            if let busy = prompts[Self.busyPromptName] {
                channel.commands.push(.play(busy, id: Self.busyPlayback, bargeIn: false))
            } else {
                channel.commands.push(.hangUp)
            }
        case .playbackFinished(Self.busyPlayback, _):
            heardBusy += 1
            channel.commands.push(.hangUp)
        case .disconnected:
            busyLines.remove(line)
        default:
            break
        }
    }

    /// A free line to call a transfer's number on, for the call on `owner`: idle as far as the
    /// box knows, with no call, test or recording on it. The highest is taken, so the lines
    /// callers ring first stay free longest.
    func seizeLeg(for owner: Int) -> Int? {
        guard let free = freeLines().first else { return nil }
        legs[free] = owner
        note(free, "transfer for line \(owner)", state: .inCall, at: nowMs())
        return free
    }

    /// Lines idle as far as the box knows, with no call, test or recording on them, highest
    /// first: the box's own calls take these, so the lines callers ring first stay free longest.
    private func freeLines() -> [Int] {
        loop.channels.indices.reversed().filter { l in
            sessions[l] == nil && legs[l] == nil && !busyLines.contains(l) && lineTests[l] == nil
                && technicianRecordings[l] == nil && (lineStatus[l]?.state ?? .idle) == .idle
        }
    }

    package func callEnded(_ session: CallSession) {
        sessions[session.line] = nil
        let s = session.summary
        finished.append(s)
        let cases = s.cases.map { "\($0.kind) \($0.number)" }.joined(separator: ", ")
        log("line \(s.line): call \(s.callID) from \(s.callerNumber ?? "unknown") ended: \(s.disposition.rawValue), \(s.disconnectReason?.rawValue ?? "")"
            + (cases.isEmpty ? "" : "; cases: \(cases)"), LogFields(line: s.line, call: s.callID, caseNumber: s.cases.last?.number))
        onCallEnded(s)
    }
}
