import DSP

/// The unit of line time: every channel delivers and accepts 20 ms of 8 kHz signed 16-bit audio
/// per tick of its frame clock.
public enum LineFrame {
    public static let milliseconds = 20
    public static let samples = SampleClock.samples(ms: milliseconds)

    /// Frames needed to cover `ms` of line time (rounded up).
    public static func frames(ms: Int) -> Int { (ms + milliseconds - 1) / milliseconds }
}
