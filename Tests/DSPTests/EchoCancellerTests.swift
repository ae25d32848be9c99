import DSP
import Testing
import TestSupport

/// The box's echo canceller on its own: Mandarin speech sent, its hybrid echo (one frame plus
/// the echo delay late, 6 dB down) received, and digits keyed over it at −25 dBm0.
@Suite(.tags(.unit)) struct EchoCancellerTests {
    /// A line frame: 20 ms.
    static let frame = SampleClock.samples(ms: 20)

    /// What the box receives while it sends `tx`: the echo of `tx`, plus `near` (the caller).
    static func line(_ tx: [Int16], near: [Int16], delayMs: Int, lossDB: Double) -> [Int16] {
        let delay = Self.frame + SampleClock.samples(ms: delayMs)
        let gain = Level.gain(dB: -lossDB)
        return (0..<tx.count).map { n in
            let echo = n >= delay ? Double(tx[n - delay]) * gain : 0
            return Int16(clamping: Int((echo + Double(n < near.count ? near[n] : 0)).rounded()))
        }
    }

    /// Runs the canceller frame by frame, as a channel does: cancel what came in, then take in
    /// what goes out.
    static func cancel(_ rx: [Int16], sent tx: [Int16], tailMs: Int = 32) -> [Int16] {
        let canceller = EchoCanceller(tailMs: tailMs, bulkDelay: Self.frame)
        var out = [Int16](repeating: 0, count: rx.count)
        let frame = Self.frame
        rx.withUnsafeBufferPointer { rx in
            tx.withUnsafeBufferPointer { tx in
                out.withUnsafeMutableBufferPointer { out in
                    var at = 0
                    while at + frame <= rx.count {
                        canceller.cancel(UnsafeBufferPointer(rebasing: rx[at..<at + frame]), into: UnsafeMutableBufferPointer(rebasing: out[at..<at + frame]))
                        canceller.transmitted(UnsafeBufferPointer(rebasing: tx[at..<at + frame]))
                        at += frame
                    }
                }
            }
        }
        return out
    }

    @Test(arguments: [4, 16])
    func theEchoOfSpeechIsTakenOut(delayMs: Int) throws {
        let speech = try TestSignals.mandarinSpeech(seconds: 6)
        let rx = Self.line(speech, near: [], delayMs: delayMs, lossDB: 6)
        let cleaned = Self.cancel(rx, sent: speech)
        // Over the last two seconds, the echo is at least 10 dB further down than the hybrid
        // left it (6 dB): 16 dB in all.
        let tail = SampleClock.samples(ms: 2000)
        let erle = Level.dBm0(of: rx.suffix(tail)) - Level.dBm0(of: cleaned.suffix(tail))
        #expect(erle >= 10, "ERLE \(erle) dB")
    }

    /// Digits at −25 dBm0 keyed 1.5 s into the box's speech, with 6 dB return loss: every one is
    /// heard in what the canceller leaves, and none is invented.
    @Test func digitsKeyedOverSpeechSurviveTheCanceller() throws {
        let speech = try TestSignals.mandarinSpeech(seconds: 6)
        let keyed = Array("1234567890")
        let near = TestSignals.silence(ms: 1500) + TestSignals.dtmf(keyed, lowDBm0: -28, highDBm0: -28)
        let rx = Self.line(speech, near: near, delayMs: 8, lossDB: 6)
        #expect(TestSignals.digits(in: Self.cancel(rx, sent: speech)).map(\.digit) == keyed)
    }
}
