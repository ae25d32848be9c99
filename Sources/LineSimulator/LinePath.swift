import DSP

/// The copper between the exchange and the box: loss both ways, noise into the box, and the
/// hybrid echo of the box's own audio.
final class LinePath {
    private let gain: Double
    private let echoGain: Double
    private let echoDelay: Int
    private var echoLine: [Int16]
    private var echoAt = 0
    private let noise: NoiseGenerator?

    init(_ impairments: LineImpairments, seed: Int32) {
        gain = Level.gain(dB: -impairments.attenuationDB)
        echoGain = impairments.echoReturnLossDB.map { Level.gain(dB: -$0) } ?? 0
        echoDelay = max(1, SampleClock.samples(ms: impairments.echoDelayMs))
        echoLine = [Int16](repeating: 0, count: echoDelay)
        noise = impairments.noiseDBm0.map { NoiseGenerator(levelDBm0: $0, seed: seed) }
    }

    /// What the far end hears of the box's audio.
    func towardsFarEnd(_ box: UnsafeBufferPointer<Int16>, into heard: UnsafeMutableBufferPointer<Int16>) {
        for i in 0..<min(box.count, heard.count) { heard[i] = Int16(clamping: Int((Double(box[i]) * gain).rounded())) }
    }

    /// What the box receives: the far end's audio after loss, its own echo, and noise.
    /// `box` is what the box sent in the same frame.
    func towardsBox(_ far: UnsafeBufferPointer<Int16>, box: UnsafeBufferPointer<Int16>, into rx: UnsafeMutableBufferPointer<Int16>) {
        for i in 0..<min(far.count, rx.count) {
            var v = Double(far[i]) * gain
            if echoGain > 0 {
                v += Double(echoLine[echoAt]) * echoGain
                echoLine[echoAt] = i < box.count ? box[i] : 0
                echoAt = (echoAt + 1) % echoDelay
            }
            if let noise { v += Double(noise.next()) }
            rx[i] = Int16(clamping: Int(v.rounded()))
        }
    }
}
