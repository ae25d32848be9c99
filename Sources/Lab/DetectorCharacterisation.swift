import Box
import DSP

/// Mitel-style sweeps of the detectors as configured, printed next to SpanDSP's reference
/// figures (from the project notes). `appliance dsp characterise` runs them; docs/DSP.md records
/// a run.
package enum DetectorCharacterisation {
    package struct Figure: Codable {
        package var name: String
        package var measured: String
        package var reference: String
    }

    package static func measure(dtmf config: DTMFDetectorConfig = .init()) -> [Figure] {
        [bandwidth(config), rejection(config), twist(config), dynamicRange(config), signalToNoise(config), duration(config),
         busyDelay(), cngDelay(), callerIDSensitivity()]
    }

    // MARK: DTMF

    private static func digit(_ d: Character, lowOffset: Double = 0, highOffset: Double = 0, lowDBm0: Double = -17,
                              highDBm0: Double = -17, onMs: Int = 50) -> [Int16] {
        let f = DTMFKeypad.frequencies(of: d)!
        let gap = [Int16](repeating: 0, count: SampleClock.samples(ms: 60))
        return gap + Signal.sines([(f.low * (1 + lowOffset), lowDBm0), (f.high * (1 + highOffset), highDBm0)],
                                  count: SampleClock.samples(ms: onMs)) + gap
    }

    private static func detected(_ samples: [Int16], _ config: DTMFDetectorConfig) -> [Character] {
        SignalAnalysis.dtmf(samples, config: config).map { Character($0.digit) }
    }

    private static func accepted(_ d: Character, _ config: DTMFDetectorConfig, _ signal: [Int16]) -> Bool {
        detected(signal, config) == [d]
    }

    /// The largest step value for which `ok` holds on every digit, stepping from zero, and the
    /// digit that limits it.
    private static func worst(step: Double, max: Double, _ ok: (Character, Double) -> Bool) -> (value: Double, digit: Character) {
        DTMFKeypad.digits.map { d in
            var last = 0.0
            var v = step
            while v <= max + step / 2, ok(d, v) { last = v; v += step }
            return (last, d)
        }.min { $0.0 < $1.0 }!
    }

    private static func limit(step: Double, max: Double, _ ok: (Character, Double) -> Bool) -> Double {
        worst(step: step, max: max, ok).value
    }

    private static func percent(_ v: Double) -> String { String(format: "%.1f %%", v * 100) }

    package static func bandwidth(_ c: DTMFDetectorConfig) -> Figure {
        let lowPlus = limit(step: 0.001, max: 0.06) { d, o in accepted(d, c, digit(d, lowOffset: o)) }
        let lowMinus = limit(step: 0.001, max: 0.06) { d, o in accepted(d, c, digit(d, lowOffset: -o)) }
        let highPlus = limit(step: 0.001, max: 0.06) { d, o in accepted(d, c, digit(d, highOffset: o)) }
        let highMinus = limit(step: 0.001, max: 0.06) { d, o in accepted(d, c, digit(d, highOffset: -o)) }
        return Figure(name: "DTMF frequency acceptance (one group off-centre, worst digit)",
                      measured: "low group −\(percent(lowMinus)) / +\(percent(lowPlus)), high group −\(percent(highMinus)) / +\(percent(highPlus))",
                      reference: "accept ±1.5 %")
    }

    package static func rejection(_ c: DTMFDetectorConfig) -> Figure {
        // Smallest offset (both groups together) from which no digit is detected any more.
        var worst = 0.0
        for d in DTMFKeypad.digits {
            for sign in [1.0, -1.0] {
                var o = 0.060
                while o > 0, detected(digit(d, lowOffset: sign * o, highOffset: sign * o), c).isEmpty { o -= 0.001 }
                worst = max(worst, o + 0.001)
            }
        }
        return Figure(name: "DTMF frequency rejection (both groups off-centre, every digit)",
                      measured: "no digit detected beyond ±\(percent(worst))", reference: "reject beyond ≈ ±3.5 %")
    }

    package static func twist(_ c: DTMFDetectorConfig) -> Figure {
        let normal = worst(step: 0.25, max: 16) { d, t in accepted(d, c, digit(d, lowDBm0: -17 + t)) }
        let reverse = worst(step: 0.25, max: 16) { d, t in accepted(d, c, digit(d, highDBm0: -17 + t)) }
        return Figure(name: "DTMF twist accepted (worst digit, 50 ms tones; settings \(c.twistDB)/\(c.reverseTwistDB) dB)",
                      measured: "normal \(normal.value) dB (digit \(normal.digit)), reverse \(reverse.value) dB (digit \(reverse.digit))",
                      reference: "8.0 dB normal / 4.0 dB reverse")
    }

    package static func dynamicRange(_ c: DTMFDetectorConfig) -> Figure {
        let all = DTMFKeypad.digits
        func everyDigit(at level: Double) -> Bool {
            detected(all.flatMap { digit($0, lowDBm0: level, highDBm0: level) }, c) == all
        }
        var top = -3.0
        while top > -60, !everyDigit(at: top) { top -= 1 }
        var bottom = top
        while bottom > -60, everyDigit(at: bottom - 1) { bottom -= 1 }
        return Figure(name: "DTMF dynamic range (every digit, level per tone)",
                      measured: "\(Int(top - bottom)) dB (\(Int(top)) to \(Int(bottom)) dBm0)", reference: "39 dB")
    }

    package static func signalToNoise(_ c: DTMFDetectorConfig) -> Figure {
        let sent = (0..<1000).map { DTMFKeypad.digits[$0 % 16] }
        let clean = sent.flatMap { digit($0, lowDBm0: -10, highDBm0: -10) }
        var best = 30
        for snr in stride(from: 30, through: 0, by: -1) {
            var noisy = clean
            // The digit's total power is 3 dB above each tone's.
            noisy.withUnsafeMutableBufferPointer { NoiseGenerator(levelDBm0: -7 - Double(snr), seed: 99).add(to: $0) }
            guard detected(noisy, c) == sent else { break }
            best = snr
        }
        return Figure(name: "DTMF in white noise (1000 digits)", measured: "1000/1000 down to \(best) dB SNR", reference: "1000/1000 at 9 dB SNR")
    }

    package static func duration(_ c: DTMFDetectorConfig) -> Figure {
        var never = 0, always = 100
        for ms in 10...60 {
            let hits = DTMFKeypad.digits.filter { accepted($0, c, digit($0, lowDBm0: -10, highDBm0: -10, onMs: ms)) }.count
            if hits == 0 { never = ms }
            if hits == 16 { always = min(always, ms) }
        }
        return Figure(name: "DTMF minimum duration", measured: "≤ \(never) ms never detected, ≥ \(always) ms always",
                      reference: "≤ 20 ms never, ≥ 34 ms always")
    }

    // MARK: Tones and caller ID

    package static func busyDelay() -> Figure {
        let busy = TonePlan.china.tones.first { $0.kind == .busy }!
        var worst = 0
        for level in stride(from: -10.0, through: -35, by: -5) {
            for lead in [0, 37, 211, 503] {
                var signal = [Int16](repeating: 0, count: SampleClock.samples(ms: lead))
                    + DSPSelfTest.render(ToneSignal(busy, levelDBm0: Int(level)), seconds: 3)
                signal.withUnsafeMutableBufferPointer { NoiseGenerator(levelDBm0: level - 20, seed: Int32(lead + 1)).add(to: $0) }
                guard let hit = SignalAnalysis.tones(signal).first(where: { $0.kind == "busy" }) else {
                    return Figure(name: "Busy confirmation delay", measured: "MISSED at \(level) dBm0", reference: "680 ms (super_tone_rx, one cycle)")
                }
                worst = max(worst, hit.confirmedMs - lead)
            }
        }
        return Figure(name: "Busy confirmation delay (−10…−35 dBm0, 20 dB SNR, two cycles)", measured: "at most \(worst) ms after onset",
                      reference: "680 ms (super_tone_rx, one cycle)")
    }

    package static func cngDelay() -> Figure {
        var worst = 0, lowest = 0.0
        for level in stride(from: -5.0, through: -45, by: -1) {
            let signal = DSPSelfTest.render(ToneSignal(frequency: 1100, levelDBm0: Int(level), onMs: 500, offMs: 3000), seconds: 1)
            guard let hit = SignalAnalysis.tones(signal).first(where: { $0.kind == "cng" }) else { break }
            worst = max(worst, hit.confirmedMs)
            lowest = level
        }
        return Figure(name: "CNG detection", measured: "down to \(Int(lowest)) dBm0, at most \(worst) ms after onset",
                      reference: "−5…−43 dBm0, needs 415 ms of tone")
    }

    package static func callerIDSensitivity() -> Figure {
        let id = CallerID(standard: .bell202, format: .mdmf, number: "13812345678", name: "ZHANG SAN",
                          dateTime: CallerIDDateTime(month: 11, day: 29, hour: 8, minute: 30))
        func decodes(level: Double, noise: Double?) -> Bool {
            guard var audio = try? CallerIDGenerator(standard: .bell202, levelDBm0: level).render(id) else { return false }
            audio = [Int16](repeating: 0, count: 1600) + audio + [Int16](repeating: 0, count: 2400)
            if let noise { audio.withUnsafeMutableBufferPointer { NoiseGenerator(levelDBm0: noise, seed: 7).add(to: $0) } }
            return SignalAnalysis.callerIDs(audio, standards: [.bell202]) == [id]
        }
        var level = -20.0
        while level > -60, decodes(level: level - 1, noise: nil) { level -= 1 }
        var snr = 20.0
        while snr > 0, decodes(level: -20, noise: -20 - (snr - 1)) { snr -= 1 }
        return Figure(name: "Bell 202 MDMF caller ID", measured: "decoded down to \(Int(level)) dBm0; at −20 dBm0 down to \(Int(snr)) dB SNR",
                      reference: "cutoff −30 dBm0 by default (lowered to −45 here); about 8 dB SNR")
    }
}
