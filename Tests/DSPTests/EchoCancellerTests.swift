import DSP
import Testing
import TestSupport

/// The box's echo canceller on its own: Mandarin speech sent, its hybrid echo (one frame plus
/// the echo delay late, 6 dB down) received, and digits keyed over it at −25 dBm0.
@Suite(.tags(.unit)) struct EchoCancellerTests {
    /// A line frame: 20 ms.
    static let frame = SampleClock.samples(ms: 20)

    /// What the box receives while it sends `tx`: the echoes of `tx` (each one frame plus its
    /// delay late, its loss down), plus `near` (the caller).
    static func line(_ tx: [Int16], near: [Int16], echoes: [(delayMs: Int, lossDB: Double)]) -> [Int16] {
        let paths = echoes.map { (delay: Self.frame + SampleClock.samples(ms: $0.delayMs), gain: Level.gain(dB: -$0.lossDB)) }
        return (0..<tx.count).map { n in
            let echo = paths.reduce(0.0) { $0 + (n >= $1.delay ? Double(tx[n - $1.delay]) * $1.gain : 0) }
            return Int16(clamping: Int((echo + Double(n < near.count ? near[n] : 0)).rounded()))
        }
    }

    /// Runs a canceller frame by frame, as a channel does: cancel what came in, then take in
    /// what goes out.
    static func cancel(_ rx: [Int16], sent tx: [Int16], with canceller: EchoCanceller = EchoCanceller(tailMs: 32, bulkDelay: frame)) -> [Int16] {
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

    /// Over the last two seconds, how far further down the echo is than the line left it.
    static func erle(_ rx: [Int16], _ cleaned: [Int16]) -> Double {
        let tail = SampleClock.samples(ms: 2000)
        return Level.dBm0(of: rx.suffix(tail)) - Level.dBm0(of: cleaned.suffix(tail))
    }

    @Test(arguments: [4, 16])
    func theEchoOfSpeechIsTakenOut(delayMs: Int) throws {
        let speech = try TestSignals.mandarinSpeech(seconds: 6)
        let rx = Self.line(speech, near: [], echoes: [(delayMs, 6)])
        // At least 10 dB further down than the hybrid left it (6 dB): 16 dB in all.
        let erle = Self.erle(rx, Self.cancel(rx, sent: speech))
        #expect(erle >= 10, "ERLE \(erle) dB")
    }

    /// A hybrid's echo found, the canceller narrows to its window; an echo spread wider than any
    /// window keeps the whole filter, and still comes out. A new echo path (a reset) looks again.
    @Test(arguments: [
        ([(delayMs: 12, lossDB: 6.0)], true),
        ([(delayMs: 2, lossDB: 9.0), (delayMs: 26, lossDB: 9.0)], false),
    ])
    func theFilterNarrowsToTheEchoItFinds(echoes: [(delayMs: Int, lossDB: Double)], narrows: Bool) throws {
        let speech = try TestSignals.mandarinSpeech(seconds: 6)
        let rx = Self.line(speech, near: [], echoes: echoes)
        let canceller = EchoCanceller(tailMs: 32, bulkDelay: Self.frame)
        let erle = Self.erle(rx, Self.cancel(rx, sent: speech, with: canceller))
        #expect(erle >= 10, "ERLE \(erle) dB")
        #expect((canceller.activeTaps.count < canceller.taps) == narrows, "\(canceller.activeTaps)")
        if narrows {
            // Weights run oldest first: the tap one frame back is the last.
            let echoTap = canceller.taps - 1 - SampleClock.samples(ms: echoes[0].delayMs)
            #expect(canceller.activeTaps.contains(echoTap), "\(canceller.activeTaps) misses tap \(echoTap)")
        }
        canceller.reset()
        #expect(canceller.activeTaps == 0..<canceller.taps)
    }

    /// Digits at −25 dBm0 keyed 1.5 s into the box's speech, with 6 dB return loss: every one is
    /// heard in what the canceller leaves, and none is invented.
    @Test func digitsKeyedOverSpeechSurviveTheCanceller() throws {
        let speech = try TestSignals.mandarinSpeech(seconds: 6)
        let keyed = Array("1234567890")
        let near = TestSignals.silence(ms: 1500) + TestSignals.dtmf(keyed, lowDBm0: -28, highDBm0: -28)
        let rx = Self.line(speech, near: near, echoes: [(8, 6)])
        #expect(TestSignals.digits(in: Self.cancel(rx, sent: speech)).map(\.digit) == keyed)
    }
}
