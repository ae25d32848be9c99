import DSP
import Foundation
import LineDriver
import LocalDB

/// The box's event side: drains every channel's events, keeps one `CallSession` per call in
/// progress, and ticks their flows in line time. It runs on one thread (the simulate loop, or
/// the daemon's event thread), never on the frame thread.
final class Switchboard {
    let loop: FrameLoop
    let store: CaseStore
    let recorder: CallRecorder
    let prompts: PromptLibrary
    let documents: [String: String]
    let config: BoxConfig
    let recordingsDirectory: String
    let faxDirectory: String
    private(set) var flow: Flow
    private let startedAt: Date
    private let nowMs: () -> Int
    private var sessions: [Int: CallSession] = [:]
    private(set) var finished: [CallSummary] = []
    var onLog: (String) -> Void = { print($0) }
    var onCallEnded: (CallSummary) -> Void = { _ in }

    init(loop: FrameLoop, store: CaseStore, recorder: CallRecorder, prompts: PromptLibrary, documents: [String: String], flow: Flow,
         config: BoxConfig, dataDirectory: String, startedAt: Date, nowMs: @escaping () -> Int) throws {
        self.loop = loop
        self.store = store
        self.recorder = recorder
        self.prompts = prompts
        self.documents = documents
        self.flow = flow
        self.config = config
        self.startedAt = startedAt
        self.nowMs = nowMs
        recordingsDirectory = "\(dataDirectory)/recordings"
        faxDirectory = "\(dataDirectory)/faxes"
        for dir in [recordingsDirectory, faxDirectory] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    }

    var activeCalls: Int { sessions.count }

    /// A flow that passed validation replaces the running one for calls that start from now on.
    func replaceFlow(_ newFlow: Flow) { flow = newFlow }

    /// Wall-clock time of a moment of line time (line time started at `startedAt`).
    func timestamp(_ ms: Int) -> String {
        ISO8601DateFormatter.string(from: startedAt.addingTimeInterval(Double(ms) / 1000), timeZone: TimeZone(identifier: "UTC")!,
                                    formatOptions: [.withInternetDateTime, .withFractionalSeconds])
    }

    func log(_ line: String) { onLog(line) }

    /// Handles everything the channels reported, then lets every flow see the time.
    func poll() {
        for channel in loop.channels {
            while let event = channel.events.pop() { handle(event, channel.index) }
        }
        let now = nowMs()
        for session in Array(sessions.values) { session.tick(at: now) }
    }

    private func handle(_ event: ChannelEvent, _ line: Int) {
        let ms = SampleClock.ms(event.at)
        switch event.kind {
        case .ringing:
            _ = session(line, at: ms)
        case .callerID(let spill):
            if let id = CallerIDReceiver.decode(spill) { session(line, at: ms)?.callerID(id) }
        case .answered:
            session(line, at: ms)?.answered(at: ms)
        case .disconnected(let reason):
            sessions[line]?.disconnected(reason, at: ms)
        default:
            sessions[line]?.handle(event, at: ms)
        }
    }

    private func session(_ line: Int, at ms: Int) -> CallSession? {
        if let s = sessions[line] { return s }
        do {
            let s = try CallSession(line: line, box: self, at: ms)
            sessions[line] = s
            return s
        } catch {
            log("line \(line): cannot record the call: \(error)")
            return nil
        }
    }

    func callEnded(_ session: CallSession) {
        sessions[session.line] = nil
        let s = session.summary
        finished.append(s)
        let cases = s.cases.map { "\($0.kind) \($0.number)" }.joined(separator: ", ")
        log("line \(s.line): call \(s.callID) from \(s.callerNumber ?? "unknown") ended: \(s.disposition), \(s.disconnectReason ?? "")"
            + (cases.isEmpty ? "" : "; cases: \(cases)"))
        onCallEnded(s)
    }
}
