import CDahdi
import LineDriver
import TestSupport
import Testing

/// What can be checked of the DAHDI backend without the kernel driver: the event mapping and a
/// clear error where there is no DAHDI. The driver itself is exercised in the VM stage.
@Suite(.tags(.unit)) struct DahdiBackendTests {
    @Test func eventsMapOntoTheBackendProtocol() {
        var ringing = false
        #expect(DahdiBackend.lineEvents(CDahdi_EVENT_RINGBEGIN, ringing: &ringing) == (.ringStart, nil) && ringing)
        #expect(DahdiBackend.lineEvents(CDahdi_EVENT_RINGBEGIN, ringing: &ringing) == (nil, nil))
        #expect(DahdiBackend.lineEvents(CDahdi_EVENT_RINGOFFHOOK, ringing: &ringing) == (.ringEnd, nil) && !ringing)
        // Drivers that report only the end of a burst: its start is synthesised.
        #expect(DahdiBackend.lineEvents(CDahdi_EVENT_RINGOFFHOOK, ringing: &ringing) == (.ringStart, .ringEnd))
        #expect(DahdiBackend.lineEvents(CDahdi_EVENT_ONHOOK, ringing: &ringing) == (.loopCurrentLost, nil))
        #expect(DahdiBackend.lineEvents(CDahdi_EVENT_POLARITY, ringing: &ringing) == (.polarityReversal, nil))
        #expect(DahdiBackend.lineEvents(CDahdi_EVENT_ALARM, ringing: &ringing) == (.alarm(raised: true), nil))
        #expect(DahdiBackend.lineEvents(CDahdi_EVENT_NOALARM, ringing: &ringing) == (.alarm(raised: false), nil))
        #expect(DahdiBackend.lineEvents(CDahdi_EVENT_HOOKCOMPLETE, ringing: &ringing) == (nil, nil))
    }

    @Test func withoutDAHDITheErrorSaysWhatToCheck() {
        #expect {
            _ = try DahdiBackend(channels: [.init(number: 1)], device: "/nonexistent/dahdi/channel")
        } throws: { "\($0)".contains("DAHDI channel 1: cannot open /nonexistent/dahdi/channel") && "\($0)".contains("dahdi_cfg") }
    }
}
