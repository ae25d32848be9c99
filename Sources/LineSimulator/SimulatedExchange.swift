import DSP
import LineDriver

/// A virtual PSTN exchange with `lines` subscriber lines, each wired to one channel of the box:
/// the backend that tests, the demo and the benchmarks run through until real hardware is
/// attached. It generates real signals (ring cadence, FSK or DTMF caller ID, DTMF, speech from
/// WAV files, fax modems, busy and ringback tones) and listens to the box the way a person on
/// the line would. It never tells the box anything except through the line.
public final class SimulatedExchange: LineBackend, @unchecked Sendable {
    // Unchecked: everything runs on the frame thread; calls are scheduled before the loop
    // starts or, through `traffic`, from the frame thread itself.
    private var lines: [SimulatedLine] = []
    private var scheduled: [(at: Int, line: Int, call: SimulatedCall, wavs: [String: [Int16]])] = []
    private var now = 0
    /// Calls that have ended, oldest first.
    public let finishedCalls = SPSCRing<SimulatedCallRecord>(capacity: 4096)
    /// Asked for the next call whenever a line falls idle (demo traffic, benchmarks).
    public var traffic: ((_ line: Int, _ now: Int) -> (call: SimulatedCall, afterMs: Int)?)?

    public init(lines count: Int) {
        lines = (0..<count).map { i in SimulatedLine(index: i) { [unowned self] in finishedCalls.push($0) } }
        for line in lines { line.directory = { [unowned self] in callee(for: $0) } }
    }

    public var channelCount: Int { lines.count }
    public var pacesItself: Bool { false }
    public var kind: LineBackendKind { .simulated }
    /// The simulator moves every frame in time by construction.
    public var slips: Int { 0 }

    public enum ScheduleError: Error, Equatable, CustomStringConvertible {
        case noSuchLine(Int)
        case badStep(Int, String)
        public var description: String {
            switch self {
            case .noSuchLine(let l): "no line \(l)"
            case .badStep(let i, let why): "step \(i + 1): \(why)"
            }
        }
    }

    /// Rings `line` with `call` at line time `atMs` (or as soon after as the line is free).
    /// Files the script plays are read now, so a bad file is an error here, not mid-call.
    public func schedule(_ call: SimulatedCall, line: Int, atMs: Int) throws(ScheduleError) {
        guard lines.indices.contains(line) else { throw .noSuchLine(line) }
        let wavs = try load(call.script)
        scheduled.append((SampleClock.samples(ms: atMs), line, call, wavs))
    }

    /// How the far end answers when the box dials out on `line`.
    public func setCallee(_ behaviour: CalleeBehaviour, line: Int) throws(ScheduleError) {
        guard lines.indices.contains(line) else { throw .noSuchLine(line) }
        var wavs: [String: [Int16]] = [:]
        if case .answer(_, let script) = behaviour { wavs = try load(script) }
        lines[line].setCallee(behaviour, wavs: wavs)
    }

    /// How the far end answers when the box dials `number`, on any line: each entry holds for
    /// `times` calls to the number (nil: for good), then the next entry for it applies. Numbers
    /// with no entry get the line's callee (`setCallee`).
    public func setCallee(_ behaviour: CalleeBehaviour, number: String, times: Int?) throws(ScheduleError) {
        var wavs: [String: [Int16]] = [:]
        if case .answer(_, let script) = behaviour { wavs = try load(script) }
        directory[number, default: []].append((behaviour, wavs, times))
    }

    /// The callees by number, in the order their entries apply.
    private var directory: [String: [(behaviour: CalleeBehaviour, wavs: [String: [Int16]], times: Int?)]] = [:]

    /// The callee for a call to `number` now, counting the call against its entry.
    func callee(for number: String) -> (CalleeBehaviour, [String: [Int16]])? {
        guard var entries = directory[number], let first = entries.first else { return nil }
        if let times = first.times {
            if times <= 1 && entries.count > 1 { entries.removeFirst() } else { entries[0].times = max(1, times - 1) }
            directory[number] = entries
        }
        return (first.behaviour, first.wavs)
    }

    /// Whether `line`'s exchange offers hook-flash transfer (on by default).
    public func setFlashTransfer(_ offered: Bool, line: Int) throws(ScheduleError) {
        guard lines.indices.contains(line) else { throw .noSuchLine(line) }
        lines[line].flashTransfer = offered
    }

    /// Makes `line` give (or withhold, as a faulty line does) dial tone.
    public func setDialTone(_ present: Bool, line: Int) throws(ScheduleError) {
        guard lines.indices.contains(line) else { throw .noSuchLine(line) }
        lines[line].givesDialTone = present
    }

    /// Whether `line` is free for a new call: no call on it either way, none waiting for it.
    public func isFree(line: Int) -> Bool {
        lines[line].isIdle && !scheduled.contains { $0.line == line }
    }

    /// The call in progress on `line`, if any.
    public func activeCall(line: Int) -> SimulatedCallRecord? { lines[line].record }

    /// Files already read, so traffic that repeats a script does no disk I/O on the frame thread.
    private var wavCache: [String: [Int16]] = [:]

    func load(_ script: [CallerAction]) throws(ScheduleError) -> [String: [Int16]] {
        var wavs: [String: [Int16]] = [:]
        for (i, action) in script.enumerated() {
            switch action {
            case .play(let wav):
                if let cached = wavCache[wav] { wavs[wav] = cached; continue }
                do { wavs[wav] = try WAVFile.read(wav) } catch { throw .badStep(i, error.description) }
                wavCache[wav] = wavs[wav]
            case .dtmf(let digits, _):
                if let bad = digits.first(where: { !DTMFGenerator.validDigits.contains($0) }) {
                    throw .badStep(i, "\"\(bad)\" is not a DTMF digit")
                }
            case .sendFax(let tiff):
                do { _ = try FaxDocument.read(tiff) } catch { throw .badStep(i, error.description) }
            default:
                break
            }
        }
        return wavs
    }

    // MARK: LineBackend

    public func receive(into rx: FrameBuffers, events: (Int, LineEvent) -> Void) {
        startDueCalls()
        for line in lines {
            line.receive(into: rx[line.index], at: now) { events(line.index, $0) }
        }
    }

    public func transmit(_ tx: FrameBuffers) {
        for line in lines { line.transmit(UnsafeBufferPointer(tx[line.index]), at: now) }
        now += LineFrame.samples
    }

    public func setHook(_ command: HookCommand, channel: Int) {
        lines[channel].hook(command, at: now)
    }

    private func startDueCalls() {
        if let traffic {
            for line in lines where line.isIdle && !scheduled.contains(where: { $0.line == line.index }) {
                if let next = traffic(line.index, now), let wavs = try? load(next.call.script) {
                    scheduled.append((now + SampleClock.samples(ms: next.afterMs), line.index, next.call, wavs))
                }
            }
        }
        guard scheduled.contains(where: { $0.at <= now }) else { return }
        var waiting: [(at: Int, line: Int, call: SimulatedCall, wavs: [String: [Int16]])] = []
        for item in scheduled {
            if item.at <= now && lines[item.line].isIdle {
                lines[item.line].place(item.call, wavs: item.wavs, at: now)
            } else {
                waiting.append(item)
            }
        }
        scheduled = waiting
    }
}
