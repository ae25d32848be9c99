import DSP
import LineDriver

/// A simulated caller (or callee) working through its script in line time, one frame at a
/// time. It knows only what it hears on the line, as a person would: the box's prompts (voice
/// activity), its beeps (a tone listener) and its silences.
final class FarEnd {
    enum Outcome {
        case hungUp(HangUpMode)
        case faxFinished(FaxResult)
        case timedOut(step: Int)
        case stepDone
    }

    private let script: [CallerAction]
    private let wavs: [String: [Int16]]
    private(set) var step = 0
    private var stepStart: Int
    private let ear: VoiceActivityDetector
    private var quietMs = 0
    private var beep: ToneListener?
    private var beepHeard = false
    private var keypad: DTMFGenerator?
    private var playing = 0
    private var fax: FaxTerminal?

    /// `wavs` holds the samples of every `play` file in the script, loaded beforehand.
    init(script: [CallerAction], wavs: [String: [Int16]], at now: Int) {
        self.script = script
        self.wavs = wavs
        stepStart = now
        ear = VoiceActivityDetector(config: VoiceActivityConfig(hangoverMs: 200)) { _, _ in }
    }

    var finished: Bool { step >= script.count }

    /// The box hung up: a fax in progress ends as SpanDSP judges a dropped call.
    func lineDropped() -> FaxResult? {
        guard let fax else { return nil }
        fax.abandon("the box hung up during the fax")
        return fax.result
    }

    /// Listens to `heard`, fills `say` with what the far end sends, and reports what happened.
    func frame(heard: UnsafeBufferPointer<Int16>, say: UnsafeMutableBufferPointer<Int16>, at now: Int, report: (Outcome) -> Void) {
        ear.process(heard)
        quietMs = ear.activity == .silence ? quietMs + LineFrame.milliseconds : 0
        beep?.process(heard)
        say.update(repeating: 0)
        guard step < script.count else { return }
        let elapsedMs = SampleClock.ms(now - stepStart)

        switch script[step] {
        case .wait(let ms):
            if elapsedMs >= ms { advance(now, report) }
        case .waitForPrompt(let timeout):
            if ear.activity == .speech { advance(now, report) } else if elapsedMs >= timeout { timeOut(now, report) }
        case .waitForSilence(let ms, let timeout):
            if quietMs >= ms { advance(now, report) } else if elapsedMs >= timeout { timeOut(now, report) }
        case .waitForBeep(let hz, let timeout):
            if beep == nil { beep = ToneListener(hz: Double(hz)) }
            if let beep {
                if beep.isOn && beep.periodLength >= SampleClock.samples(ms: 80) { beepHeard = true }
                if beepHeard && !beep.isOn { advance(now, report) } else if elapsedMs >= timeout { timeOut(now, report) }
            }
        case .dtmf(let digits, let sending):
            if keypad == nil {
                keypad = DTMFGenerator(sending)
                try? keypad?.send(digits)
            }
            if let keypad, keypad.generate(into: say) < say.count { advance(now, report) }
        case .play(let wav):
            let samples = wavs[wav] ?? []
            let n = min(say.count, samples.count - playing)
            for i in 0..<max(0, n) { say[i] = samples[playing + i] }
            playing += max(0, n)
            if playing >= samples.count { advance(now, report) }
        case .sendFax(let tiff), .receiveFax(let tiff):
            if fax == nil {
                let sending: Bool = if case .sendFax = script[step] { true } else { false }
                fax = try? FaxTerminal(FaxSessionConfig(direction: sending ? .send(tiff: tiff) : .receive(tiff: tiff),
                                                        callingParty: sending, ident: "SIMULATED CALLER", maxDurationSeconds: 300))
            }
            guard let terminal = fax else { timeOut(now, report); return }
            terminal.process(received: heard, transmit: say)
            if let result = terminal.result {
                report(.faxFinished(result))
                advance(now, report)
            }
        case .hangUp(let mode):
            report(.hungUp(mode))
            step = script.count
        }
    }

    private func advance(_ now: Int, _ report: (Outcome) -> Void) {
        step += 1
        stepStart = now
        beep = nil
        beepHeard = false
        keypad = nil
        playing = 0
        fax = nil
        report(.stepDone)
    }

    private func timeOut(_ now: Int, _ report: (Outcome) -> Void) {
        report(.timedOut(step: step))
        advance(now, report)
    }
}
