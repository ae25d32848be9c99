import DSP
import TestSupport
import Testing

@Suite(.tags(.unit)) struct G711Tests {
    @Test(arguments: [G711Law.ulaw, .alaw])
    func roundTripErrorStaysWithinOneQuantisationStep(law: G711Law) {
        for v in stride(from: -32768, through: 32767, by: 7) {
            let x = Int16(v)
            let y = law.decode(law.encode(x))
            // Segment step size grows with magnitude: at most 1/16 of it (plus the 8-bit floor).
            #expect(abs(Int(y) - Int(x)) <= max(16, abs(Int(x)) / 16 + 2), "\(x) -> \(y)")
        }
    }

    @Test func knownCodeWords() {
        #expect(G711Law.ulaw.encode(0) == 0xFF)
        #expect(G711Law.alaw.encode(0) == 0xD5)
        #expect(G711Law.ulaw.decode(0x80) == 32124)
        #expect(G711Law.alaw.decode(0xAA) == 32256)
    }

    @Test(arguments: [G711Law.ulaw, .alaw])
    func bufferConversionMatchesSampleConversion(law: G711Law) {
        let tone = TestSignals.tones([(1000, -10)], ms: 20)
        var codes = [UInt8](repeating: 0, count: tone.count)
        var back = [Int16](repeating: 0, count: tone.count)
        tone.withUnsafeBufferPointer { t in codes.withUnsafeMutableBufferPointer { law.encode(t, into: $0) } }
        codes.withUnsafeBufferPointer { c in back.withUnsafeMutableBufferPointer { law.decode(c, into: $0) } }
        #expect(back == tone.map { law.decode(law.encode($0)) })
    }
}
