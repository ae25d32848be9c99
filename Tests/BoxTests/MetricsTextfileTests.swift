import Box
import Foundation
import HotlineModel
import LineDriver
import Synchronization
import Testing
import TestSupport

/// The box's figures for node-exporter's textfile collector (`metrics_file:`): what a
/// dashboard needs to see a box from the central office's Prometheus.
@Suite(.tags(.unit)) struct MetricsTextfileTests {
    static func figures(backend: LineBackendKind) -> BoxMetrics {
        var m = BoxMetrics()
        m.lineStates = [.idle, .inCall, .ringing]
        m.backend = backend
        m.slips = 7
        m.calls = 12
        m.cases = [("complaint", 9), ("mailbox", 2)]
        m.outbound = [("callback", "waiting", nil, 1), ("callback", "done", "rated \"3\"", 4)]
        m.diskFreeBytes = 5_000_000_000
        m.diskReserveBytes = 64 << 20
        m.lastPull = Date(timeIntervalSince1970: 1_796_000_000)
        m.certificateDaysLeft = 29
        return m
    }

    @Test func eachLineHasOneStateSetAndTheOthersClear() {
        let text = Self.figures(backend: .dahdi).text
        #expect(text.contains("hotline_line_state{line=\"1\",state=\"in call\"} 1"))
        #expect(text.contains("hotline_line_state{line=\"1\",state=\"idle\"} 0"))
        #expect(text.contains("hotline_line_state{line=\"2\",state=\"ringing\"} 1"))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("hotline_line_state{") && $0.hasSuffix(" 1") }.count == 3)
    }

    @Test func callsCasesDiskPullCertificateAndBuildAreThere() {
        let text = Self.figures(backend: .dahdi).text
        for sample in ["hotline_calls_total 12", "hotline_cases_total{kind=\"complaint\"} 9", "hotline_outbound_jobs{kind=\"callback\",state=\"waiting\"} 1",
                       "hotline_outbound_done_total{kind=\"callback\",outcome=\"rated \\\"3\\\"\"} 4", "hotline_disk_free_bytes 5000000000",
                       "hotline_disk_reserve_bytes 67108864", "hotline_last_pull_timestamp_seconds 1796000000.0",
                       "hotline_uplink_certificate_days_left 29", "hotline_build_info{version=\"\(FirmwareVersion.current)\"} 1"] {
            #expect(text.contains(sample + "\n"), "\(sample)")
        }
    }

    @Test(arguments: [(LineBackendKind.dahdi, true), (.alsa, true), (.simulated, false)])
    func slipsAreCountedWhereTheHardwareCanSlip(_ backend: LineBackendKind, _ counted: Bool) {
        #expect(Self.figures(backend: backend).text.contains("hotline_line_slips_total{backend=\"\(backend.rawValue)\"} 7") == counted)
    }

    @Test func aBoxNeverPulledAndWithoutACertificateLeavesThoseOut() {
        var m = Self.figures(backend: .simulated)
        m.lastPull = nil
        m.certificateDaysLeft = nil
        #expect(!m.text.contains("hotline_last_pull_timestamp_seconds "))
        #expect(!m.text.contains("hotline_uplink_certificate_days_left "))
    }

    @Test func theFileIsReplacedWholeAndAFailedWriteIsLoggedOnce() throws {
        let dir = try ScratchDirectory()
        let path = dir.path("hotline.prom")
        let calls = Mutex(12)
        let logged = Mutex<[String]>([])
        let writer = MetricsTextfile(path: path, figures: {
            var m = BoxMetrics()
            m.calls = calls.withLock { $0 }
            return m
        }, log: { line in logged.withLock { $0.append(line) } })
        writer.write()
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("hotline_calls_total 12\n"))
        calls.withLock { $0 = 13 }
        writer.write()
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("hotline_calls_total 13\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["hotline.prom"])
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o644)
        try FileManager.default.removeItem(at: dir.url)
        writer.write()
        writer.write()
        #expect(logged.withLock { $0.count } == 1)
        #expect(logged.withLock { $0.first?.contains("cannot write the metrics file \(path)") } == true)
    }
}
