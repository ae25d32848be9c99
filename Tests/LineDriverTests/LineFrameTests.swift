import LineDriver
import TestSupport
import Testing

@Suite(.tags(.unit)) struct LineFrameTests {
    @Test func aFrameIsTwentyMillisecondsOfEightKilohertz() {
        #expect(LineFrame.samples == 160)
        #expect(LineFrame.frames(ms: 1000) == 50)
        #expect(LineFrame.frames(ms: 1010) == 51)
    }
}
