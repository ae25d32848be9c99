import Lab
import Testing
import TestSupport

/// `bench firmware`'s numbers come from a command line: each is checked to be finite and in
/// range, and a bad one is refused with its name before anything is built.
@Suite(.tags(.unit)) struct FirmwareBenchTests {
    @Test(arguments: [
        ["--speedup", "nan"], ["--speedup", "0"], ["--kbps", "inf"], ["--kbps", "-64"], ["--megabytes", "2000"],
        ["--megabytes", "0"], ["--cut-every-mib", "-1"], ["--round-minutes", "0"], ["--pause-minutes", "1e300"],
        ["--bundle", "/nonexistent/hotline.raucb"],
    ])
    func aBadNumberOrFileIsRefusedByName(_ arguments: [String]) {
        #expect {
            _ = try FirmwareBench.parse(arguments)
        } throws: { error in
            FirmwareBench.message(for: error).contains(arguments[0])
        }
    }

    @Test func theDefaultsAreTheLeasedLineAndTheReleaseBundle() throws {
        let bench = try FirmwareBench.parse([])
        #expect(bench.kbps == 64 && bench.megabytes == 220 && bench.roundMinutes == 10 && bench.pauseMinutes == 5)
    }
}
