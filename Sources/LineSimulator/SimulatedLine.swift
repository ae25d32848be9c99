import DSP
import LineDriver

/// One subscriber line of the simulated exchange: rings the box with China's cadence and a
/// caller-ID spill, connects the caller's script once the box answers, hangs up the way the
/// script says, and serves the box's own outgoing calls (dial tone, digit collection, ringback,
/// busy, a scripted callee).
final class SimulatedLine {
    private enum Phase {
        case idle
        /// Ringing; `firstRing` is when the first ring starts (after any DTMF caller ID).
        case alerting(firstRing: Int)
        case connected
        case farEndGone(HangUpMode, since: Int)
        case dialTone
        case collecting(lastDigit: Int)
        case ringback(since: Int)
        case refusing
    }

    static let ringOnMs = 1000, ringCycleMs = 5000
    /// China (YDN 069): FSK caller ID starts about 0.5 s after the first ring ends.
    static let fskDelayMs = 500
    static let dtmfToRingMs = 600
    static let digitTimeoutMs = 3000
    static let toneLevel = -10

    let index: Int
    private var phase = Phase.idle
    private var boxOffHook = false
    private var ringOn = false
    private var call: SimulatedCall?
    private var wavs: [String: [Int16]] = [:]
    private(set) var record: SimulatedCallRecord?
    private var farEnd: FarEnd?
    private var path: LinePath
    private var spill: [Int16] = []
    private var spillAt = 0
    private var tone: ToneGenerator?
    private var collector: DTMFDetector?
    private var collected: [Character] = []
    private var boxTx = [Int16](repeating: 0, count: LineFrame.samples)
    private var heard = [Int16](repeating: 0, count: LineFrame.samples)
    private var far = [Int16](repeating: 0, count: LineFrame.samples)
    /// A faulty line gives no dial tone when the box goes off-hook.
    var givesDialTone = true
    /// Whether the exchange offers hook-flash transfer; without it a flash does nothing.
    var flashTransfer = true
    /// The caller on hold while the box consults someone else after a hook flash.
    private var heldCaller: FarEnd?
    private var callee: CalleeBehaviour = .noAnswer
    private var calleeWavs: [String: [Int16]] = [:]
    /// The exchange's callees by number, asked when the box's dialling is complete.
    var directory: (String) -> (CalleeBehaviour, [String: [Int16]])? = { _ in nil }
    /// The callee of the call the box is placing now.
    private var routed: (behaviour: CalleeBehaviour, wavs: [String: [Int16]]) = (.noAnswer, [:])
    private let finish: (SimulatedCallRecord) -> Void

    init(index: Int, finish: @escaping (SimulatedCallRecord) -> Void) {
        self.index = index
        self.finish = finish
        path = LinePath(LineImpairments(), seed: Int32(index + 1))
    }

    /// How the far end behaves when the box dials out; `wavs` holds its script's files.
    func setCallee(_ behaviour: CalleeBehaviour, wavs: [String: [Int16]]) {
        callee = behaviour
        calleeWavs = wavs
    }

    var isIdle: Bool { if case .idle = phase { !boxOffHook } else { false } }

    /// Starts ringing the box with `call` (the line must be idle).
    func place(_ call: SimulatedCall, wavs: [String: [Int16]], at now: Int) {
        self.call = call
        self.wavs = wavs
        path = LinePath(call.impairments, seed: Int32(index * 7919 + now % 7919 + 1))
        record = SimulatedCallRecord(line: index, outbound: false, placedAt: now)
        spill = []
        var firstRing = now
        if let id = call.callerID, let audio = try? CallerIDGenerator(standard: id.standard).render(id) {
            spill = audio
            if id.standard == .dtmf {
                spillAt = now
                firstRing = now + audio.count + SampleClock.samples(ms: Self.dtmfToRingMs)
            } else {
                spillAt = now + SampleClock.samples(ms: Self.ringOnMs + Self.fskDelayMs)
            }
        }
        phase = .alerting(firstRing: firstRing)
    }

    /// The box's hook, as it changes (on the frame thread, during the frame at `now`).
    func hook(_ command: HookCommand, at now: Int) {
        switch command {
        case .offHook:
            boxOffHook = true
            switch phase {
            case .alerting:
                phase = .connected
                ringOn = false
                record?.answeredAt = now
                farEnd = FarEnd(script: call?.script ?? [], wavs: wavs, at: now)
            case .idle:
                record = SimulatedCallRecord(line: index, outbound: true, placedAt: now)
                path = LinePath(LineImpairments(), seed: Int32(index + 1))
                giveDialTone()
            default:
                break
            }
        case .onHook:
            boxOffHook = false
            switch phase {
            case .idle, .alerting: break
            default:
                // Hanging up while consulting joins the held caller to the one the box called,
                // once that call rings or is answered (the transfer); otherwise the caller is let go.
                if heldCaller != nil, record?.dialled.isEmpty == false {
                    switch phase {
                    case .ringback, .connected: record?.transferredAt = now
                    case .idle, .alerting, .farEndGone, .dialTone, .collecting, .refusing: break
                    }
                }
                end(at: now)
            }
        case .flash:
            guard flashTransfer else { break }
            if let caller = heldCaller {
                // Back to the held caller; the consultation is dropped.
                farEnd = caller
                heldCaller = nil
                tone = nil
                collector = nil
                record?.callerRetrieved += 1
                phase = .connected
            } else if case .connected = phase {
                // The caller is held; dial tone for a consultation.
                heldCaller = farEnd
                farEnd = nil
                record?.flashedAt = now
                giveDialTone()
            }
        }
    }

    /// Dial tone (unless the line is faulty), and the exchange listening for digits.
    private func giveDialTone() {
        collected = []
        collector = DTMFDetector { [unowned self] event in
            if case .ended(let d) = event { collected.append(d.digit) }
        }
        if givesDialTone { playTone(ToneSignal(TonePlan.china.tones[0], levelDBm0: Self.toneLevel)) }
        phase = .dialTone
    }

    /// What the box receives during the frame at `now`, and the signalling that goes with it.
    func receive(into rx: UnsafeMutableBufferPointer<Int16>, at now: Int, events: (LineEvent) -> Void) {
        far.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        switch phase {
        case .idle:
            break
        case .alerting(let firstRing):
            alert(firstRing: firstRing, now: now, events: events)
        case .connected:
            converse(now: now, events: events)
        case .farEndGone(let mode, let since):
            if mode == .busyOnly && now - since >= SampleClock.samples(ms: 500) && tone == nil { playTone(busyTone) }
            sound()
        case .dialTone, .refusing, .ringback:
            if case .ringback(let since) = phase { ringbackProgress(since: since, now: now) }
            sound()
        case .collecting(let lastDigit):
            if now - lastDigit >= SampleClock.samples(ms: Self.digitTimeoutMs) { route(now: now) }
        }
        boxTx.withUnsafeBufferPointer { box in
            far.withUnsafeBufferPointer { path.towardsBox($0, box: box, into: rx) }
        }
    }

    /// What the box sent during the frame.
    func transmit(_ tx: UnsafeBufferPointer<Int16>, at now: Int) {
        for i in 0..<min(tx.count, boxTx.count) { boxTx[i] = boxOffHook ? tx[i] : 0 }
        guard let collector else { return }
        boxTx.withUnsafeBufferPointer { collector.process($0) }
        if !collected.isEmpty {
            record?.dialled.append(contentsOf: collected.map(String.init).joined())
            collected = []
            if case .connected = phase { return }
            tone = nil
            phase = .collecting(lastDigit: now)
        }
    }

    // MARK: Phases

    private func alert(firstRing: Int, now: Int, events: (LineEvent) -> Void) {
        if spillAt <= now, now - spillAt < spill.count {
            let start = now - spillAt
            for i in 0..<min(far.count, spill.count - start) { far[i] = spill[start + i] }
        }
        guard now >= firstRing else { return }
        let intoCycle = SampleClock.ms(now - firstRing) % Self.ringCycleMs
        let shouldRing = intoCycle < Self.ringOnMs
        if shouldRing && !ringOn {
            if let call, (record?.rings ?? 0) >= call.giveUpAfterRings {
                phase = .idle
                end(at: now)
                return
            }
            ringOn = true
            record?.rings += 1
            events(.ringStart)
        } else if !shouldRing && ringOn {
            ringOn = false
            events(.ringEnd)
        }
    }

    private func converse(now: Int, events: (LineEvent) -> Void) {
        guard let farEnd else { return }
        boxTx.withUnsafeBufferPointer { box in heard.withUnsafeMutableBufferPointer { path.towardsFarEnd(box, into: $0) } }
        if call?.listens == true { record?.heard.append(contentsOf: heard) }
        heard.withUnsafeBufferPointer { h in
            far.withUnsafeMutableBufferPointer { say in
                farEnd.frame(heard: h, say: say, at: now) { outcome in
                    switch outcome {
                    case .stepDone: record?.completedSteps += 1
                    case .timedOut(let step): record?.timedOutSteps.append(step)
                    case .faxFinished(let result): record?.faxResult = result
                    case .hungUp(let mode):
                        record?.farEndHungUpAt = now
                        record?.farEndHangUp = mode
                        hangUp(mode, at: now, events: events)
                    }
                }
            }
        }
    }

    private func hangUp(_ mode: HangUpMode, at now: Int, events: (LineEvent) -> Void) {
        farEnd = nil
        phase = .farEndGone(mode, since: now)
        switch mode {
        case .loopDrop: events(.loopCurrentLost)
        case .loopDropBusy:
            events(.loopCurrentLost)
            playTone(busyTone)
        case .polarityReversal: events(.polarityReversal)
        case .busyOnly, .silent: break
        }
    }

    private func route(now: Int) {
        // A consultation reaches the line's callee (the desk); a call of the box's own, the
        // number's, when the directory has it.
        routed = (heldCaller == nil ? directory(record?.dialled ?? "") : nil) ?? (callee, calleeWavs)
        switch routed.behaviour {
        case .answer, .noAnswer, .reject:
            playTone(ToneSignal(TonePlan.china.tones[3], levelDBm0: Self.toneLevel))
            phase = .ringback(since: now)
        case .busy:
            playTone(busyTone)
            phase = .refusing
        case .congestion:
            playTone(ToneSignal(TonePlan.china.tones[2], levelDBm0: Self.toneLevel))
            phase = .refusing
        }
    }

    private func ringbackProgress(since: Int, now: Int) {
        let rings: Int
        switch routed.behaviour {
        case .answer(let n, _), .reject(let n): rings = n
        case .busy, .congestion, .noAnswer: return
        }
        // Answer (or turn away) in the pause after the `rings`-th ringback burst.
        let answerAt = since + SampleClock.samples(ms: (rings - 1) * Self.ringCycleMs + Self.ringOnMs + 1000)
        guard now >= answerAt else { return }
        guard case .answer(_, let script) = routed.behaviour else {
            playTone(busyTone)
            phase = .refusing
            return
        }
        tone = nil
        collector = nil
        if heldCaller == nil { record?.answeredAt = now } else { record?.consultAnsweredAt = now }
        farEnd = FarEnd(script: script, wavs: routed.wavs, at: now)
        phase = .connected
    }

    private var busyTone: ToneSignal { ToneSignal(TonePlan.china.tones[1], levelDBm0: Self.toneLevel) }

    private func playTone(_ signal: ToneSignal) { tone = ToneGenerator(signal) }

    private func sound() {
        guard let tone else { return }
        far.withUnsafeMutableBufferPointer { _ = tone.generate(into: $0) }
    }

    private func end(at now: Int) {
        if let result = farEnd?.lineDropped() { record?.faxResult = result }
        if var done = record {
            if boxOffHook == false && done.answeredAt != nil { done.boxOnHookAt = now }
            finish(done)
        }
        record = nil
        call = nil
        farEnd = nil
        heldCaller = nil
        tone = nil
        collector = nil
        ringOn = false
        phase = .idle
    }
}
