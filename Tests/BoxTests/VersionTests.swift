import HotlineModel
import Testing
import TestSupport

/// Which firmware a box runs, asked the way a technician and the central office's tools ask.
@Suite(.tags(.system), .skippedInFastRun) struct VersionTests {
    @Test(arguments: [Tool.appliance, Tool.central])
    func versionIsPrinted(tool: String) throws {
        let r = try Tool.run(tool, ["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == FirmwareVersion.current)
    }
}
