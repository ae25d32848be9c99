import DSP
import Synchronization

/// One line as the frame thread sees it: the detectors on what is received, line supervision,
/// what the box plays or dials, the recorder tap and fax hand-over. Everything here runs on the
/// frame thread and does not allocate, lock or log in steady state; the rest of the box talks
/// to it only through `commands` and `events`.
public final class LineChannel: @unchecked Sendable {
    // Unchecked: only the frame thread touches the mutable state; `events` and `commands` are
    // SPSC rings meant to cross threads.
    public let index: Int
    public let events: SPSCRing<ChannelEvent>
    public let commands: SPSCRing<ChannelCommand>
    /// Events dropped because nobody drained `events` in time.
    public private(set) var lostEvents = 0
    /// The received level in dBm0 (rounded) while off-hook, −99 on-hook: published every frame
    /// for the technician's console.
    public let receivedLevel = Atomic<Int>(-99)

    private let config: ChannelConfig
    private let setHook: (HookCommand) -> Void
    private var supervisor: LineSupervisor
    private var dtmf: DTMFDetector!
    private var progress: CallProgressDetector!
    private var faxTones: FaxToneDetector!
    private var vad: VoiceActivityDetector!
    private var callerID: CallerIDReceiver?
    private let dialler: DTMFGenerator
    private var pendingDial: DialString?
    private var dialling = false

    private struct Queued {
        let audio: PromptAudio
        let id: Int32
        let bargeIn: Bool
    }

    private static let queueCapacity = 32
    private var queue: [Queued] = []
    private var position = 0
    private var taps: [(ring: SampleRing, stereo: Bool)?] = Array(repeating: nil, count: RecordingTap.allCases.count)
    private var fax: FaxTerminal?
    /// The box's echo canceller on lines without one in hardware, and the frame it cleans.
    private let echo: EchoCanceller?
    /// The last frame received while off-hook, echo taken out where a canceller runs: what the
    /// detectors heard, and what a bridged line is sent.
    private let cleaned: UnsafeMutableBufferPointer<Int16>
    /// The line this one is bridged to (`ChannelCommand.bridge`), while off-hook.
    public private(set) var bridgedTo: Int?
    public var heard: UnsafeBufferPointer<Int16> { UnsafeBufferPointer(cleaned) }
    /// True while a fax session owns the line (frame thread only).
    public var inFax: Bool { fax != nil }

    private var now = 0
    /// Detectors only run while the line is off-hook, so each keeps its own clock; these map
    /// their sample times onto line time.
    private var dtmfOffset = 0, progressOffset = 0, faxToneOffset = 0, callerIDOffset = 0
    private var voiceFrames = 0
    private var quietFrames = 0
    private var voiceReported = false

    public init(index: Int, config: ChannelConfig, eventCapacity: Int = 256, setHook: @escaping (HookCommand) -> Void) {
        self.index = index
        self.config = config
        self.setHook = setHook
        events = SPSCRing(capacity: eventCapacity)
        commands = SPSCRing(capacity: 64)
        supervisor = LineSupervisor(config: config.supervision)
        echo = config.echoCanceller.channels.contains(index) ? EchoCanceller(tailMs: config.echoCanceller.tailMs, bulkDelay: LineFrame.samples) : nil
        cleaned = .allocate(capacity: LineFrame.samples)
        cleaned.initialize(repeating: 0)
        dialler = DTMFGenerator(config.dialling)
        queue.reserveCapacity(Self.queueCapacity)
        dtmf = DTMFDetector(config: config.dtmf) { [unowned self] event in
            switch event {
            case .began(let digit, let start, let level):
                emit(.digitBegan(digit, levelDBm0: level), at: start + dtmfOffset)
                if !queue.isEmpty && queue[0].bargeIn { stopPlayback() }
            case .ended(var digit):
                digit.startSample += dtmfOffset
                digit.endSample += dtmfOffset
                emit(.digit(digit), at: digit.endSample)
            }
        }
        progress = CallProgressDetector(plan: config.tonePlan) { [unowned self] event in
            switch event {
            case .confirmed(var detection):
                detection.onsetSample += progressOffset
                detection.confirmedSample += progressOffset
                emit(.tone(detection), at: detection.confirmedSample)
                supervise(.tone(detection.kind))
            case .ended(let tone, _):
                supervise(.toneEnded(tone))
            }
        }
        faxTones = FaxToneDetector { [unowned self] event in
            guard case .detected(var detection) = event else { return }
            detection.onsetSample += faxToneOffset
            detection.confirmedSample += faxToneOffset
            emit(.faxTone(detection), at: detection.confirmedSample)
        }
        faxTones.listen(for: .cng)
        vad = VoiceActivityDetector(config: config.voice) { _, _ in }
        switch config.supervision.callerID {
        case .none: callerID = nil
        case .fskAfterFirstRing(let standard):
            callerID = CallerIDReceiver(standard: standard, onSpill: { [unowned self] spill, at in emit(.callerID(spill), at: at + callerIDOffset) })
        case .dtmfBeforeRing:
            callerID = CallerIDReceiver(standard: .dtmf, onSpill: { [unowned self] spill, at in emit(.callerID(spill), at: at + callerIDOffset) })
        }
    }

    deinit { cleaned.deallocate() }

    public var isOffHook: Bool { supervisor.isOffHook }

    /// Signalling from the backend for this channel, before this frame's audio.
    public func signalling(_ event: LineEvent, at time: Int) {
        now = time
        emit(.line(event), at: time)
        supervise(.line(event))
    }

    /// One frame: `rx` as received, `tx` to fill with what the box sends. `time` is the line
    /// time (samples) at the start of the frame. `bridged` is what the line this one is bridged
    /// to heard (its latest frame), sent where no prompt plays.
    public func process(rx: UnsafeBufferPointer<Int16>, tx: UnsafeMutableBufferPointer<Int16>, at time: Int,
                        bridged: UnsafeBufferPointer<Int16>? = nil) {
        now = time
        while let command = commands.pop() { execute(command) }

        if let terminal = fax {
            terminal.process(received: rx, transmit: tx)
            if terminal.isFinished {
                fax = nil
                emit(.faxFinished, at: now)
            }
        } else if supervisor.isOffHook {
            // What the caller sent: the box's own echo taken out where it runs a canceller.
            var rx = rx
            if rx.count <= cleaned.count {
                if let echo { echo.cancel(rx, into: cleaned) } else { _ = cleaned.initialize(from: rx) }
                rx = UnsafeBufferPointer(rebasing: cleaned[0..<rx.count])
            }
            dtmfOffset = now - dtmf.clock
            dtmf.process(rx)
            progressOffset = now - progress.clock
            progress.process(rx)
            faxToneOffset = now - faxTones.clock
            faxTones.process(rx)
            vad.process(rx)
            receivedLevel.store(Int(vad.levelDBm0.rounded()), ordering: .relaxed)
            trackVoice()
            fill(tx, bridged: bridgedTo == nil ? nil : bridged)
            echo?.transmitted(UnsafeBufferPointer(tx))
        } else {
            receivedLevel.store(-99, ordering: .relaxed)
            if let callerID {
                callerIDOffset = now - callerID.clock
                callerID.process(rx)
            }
            tx.update(repeating: 0)
        }

        for t in 0..<taps.count {
            guard let tap = taps[t] else { continue }
            if tap.stereo { tap.ring.writeInterleaved(rx, UnsafeBufferPointer(tx)) } else { tap.ring.write(rx) }
        }
        supervise(.tick(boxTransmitting: fax != nil || dialling || !queue.isEmpty || bridgedTo != nil))
    }

    // MARK: Playing and dialling

    private func fill(_ tx: UnsafeMutableBufferPointer<Int16>, bridged: UnsafeBufferPointer<Int16>?) {
        var filled = 0
        if dialling {
            filled = dialler.generate(into: tx)
            if filled < tx.count {
                dialling = false
                emit(.dialled, at: now)
                supervise(.dialingFinished)
            }
        }
        while filled < tx.count && !queue.isEmpty {
            let item = queue[0]
            let source = item.audio.samples
            let n = min(tx.count - filled, source.count - position)
            if n > 0 { (tx.baseAddress! + filled).update(from: source.baseAddress! + position, count: n) }
            filled += n
            position += n
            if position >= source.count {
                queue.removeFirst()
                position = 0
                emit(.playbackFinished(id: item.id, interrupted: false), at: now + filled)
            }
        }
        if let bridged, bridged.count >= tx.count {
            for i in filled..<tx.count { tx[i] = bridged[i] }
        } else if filled < tx.count {
            UnsafeMutableBufferPointer(rebasing: tx[filled...]).update(repeating: 0)
        }
    }

    private func stopPlayback() {
        while !queue.isEmpty {
            let item = queue.removeFirst()
            emit(.playbackFinished(id: item.id, interrupted: true), at: now)
        }
        position = 0
    }

    private func startDialling() {
        guard let digits = pendingDial else { return }
        pendingDial = nil
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: DTMFKeypad.maxNumberDigits) { buffer in
            var n = 0
            digits.forEachDigit { buffer[n] = CChar(bitPattern: $0); n += 1 }
            dialler.queue(ascii: UnsafeBufferPointer(rebasing: buffer[0..<n]))
        }
        dialling = true
    }

    // MARK: Supervision

    /// The far end's voice: sound above the speech threshold that is not a call-progress tone,
    /// for `answerVoiceMs` in all, allowing the short gaps between syllables. It is judged on the
    /// power meter's instantaneous level, not the speech/silence decision, whose hangover would
    /// turn the end of every ringback burst into half a second of "voice".
    private func trackVoice() {
        if progress.hearingTone {
            voiceFrames = 0
        } else if vad.levelDBm0 > config.voice.speechThresholdDBm0 {
            voiceFrames += 1
            quietFrames = 0
            if !voiceReported && voiceFrames * LineFrame.milliseconds >= config.supervision.answerVoiceMs {
                voiceReported = true
                emit(.voice(.speech), at: now)
                supervise(.voice(.speech))
            }
        } else {
            quietFrames += 1
            if quietFrames * LineFrame.milliseconds > 200 { voiceFrames = 0 }
        }
        if voiceReported && vad.activity == .silence {
            voiceReported = false
            emit(.voice(.silence), at: now)
            supervise(.voice(.silence))
        }
    }

    private func supervise(_ input: SupervisorInput) {
        supervisor.handle(input, at: now) { [unowned self] action in apply(action) }
    }

    private func apply(_ action: SupervisorAction) {
        switch action {
        case .hook(let command):
            setHook(command)
            emit(.hook(command), at: now)
            // Each hook change leads to another echo path (a new call, the consulted line).
            echo?.reset()
            switch command {
            case .offHook:
                break
            case .onHook:
                // The next call is one the box answers, until it dials: a calling fax sends CNG.
                faxTones.listen(for: .cng)
                fallthrough
            case .flash:
                // The call ends, or the line now leads to someone else: what the box was
                // playing, dialling and hearing belonged to the call before.
                if fax != nil {
                    // The sender reads (or completes, with `abandon`) the terminal's result.
                    fax = nil
                    emit(.faxFinished, at: now)
                }
                stopPlayback()
                dialling = false
                bridgedTo = nil
                voiceReported = false
                voiceFrames = 0
                quietFrames = 0
            }
        case .startDialing: startDialling()
        case .ringing(let count): emit(.ringing(count: count), at: now)
        case .answered: emit(.answered, at: now)
        case .disconnected(let reason): emit(.disconnected(reason), at: now)
        case .outbound(let result): emit(.outbound(result), at: now)
        case .consulted(let result): emit(.consulted(result), at: now)
        case .tested(let dialTone): emit(.lineTested(dialTone: dialTone, levelDBm0: Int(vad.levelDBm0.rounded())), at: now)
        }
    }

    private func execute(_ command: ChannelCommand) {
        switch command {
        case .play(let audio, let id, let bargeIn):
            if queue.count < Self.queueCapacity && supervisor.isOffHook {
                queue.append(Queued(audio: audio, id: id, bargeIn: bargeIn))
            } else {
                emit(.playbackFinished(id: id, interrupted: true), at: now)
            }
        case .stopPlayback: stopPlayback()
        case .record(let ring, let twoChannels, let tap):
            taps[tap.rawValue] = (ring, twoChannels)
        case .stopRecording(let tap):
            if taps[tap.rawValue] != nil {
                taps[tap.rawValue] = nil
                emit(.recordingStopped(tap), at: now)
            }
        case .hangUp: supervise(.hangUp)
        case .dial(let digits, let noAnswerMs):
            pendingDial = digits
            // Whoever answers a call the box makes may be a fax machine, with CED.
            faxTones.listen(for: .ced)
            supervise(.dial(noAnswerMs: noAnswerMs))
        case .bridge(let peer):
            bridgedTo = supervisor.isOffHook && peer != index ? peer : nil
        case .consult(let digits, let noAnswerMs):
            pendingDial = digits
            supervise(.consult(noAnswerMs: noAnswerMs))
        case .testLine:
            supervise(.test)
        case .fax(let terminal): fax = terminal
        }
    }

    private func emit(_ kind: ChannelEvent.Kind, at time: Int) {
        if !events.push(ChannelEvent(channel: index, at: time, kind: kind)) { lostEvents += 1 }
    }
}
