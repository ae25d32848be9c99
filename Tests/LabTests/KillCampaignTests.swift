import Foundation
import Testing
import TestSupport

/// The kill -9 campaign in CI: 10 seeded moments (docs/RELIABILITY.md has the 200-moment run).
@Suite(.serialized, .tags(.system), .skippedInFastRun) struct KillCampaignTests {
    @Test func tenKillsLoseNothing() throws {
        let seed = ProcessInfo.processInfo.environment["HOTLINE_SEED"] ?? "\(UInt32.random(in: 1...UInt32.max))"
        let r = try Tool.run(Tool.lab, ["campaign", "kill", "--moments", "10", "--seed", seed, "--appliance", Tool.appliance])
        #expect(r.status == 0, "seed \(seed): \(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("integrity checks failed 0, announced cases missing 0, WAVs that do not play 0"), "seed \(seed): \(r.stdout)")
    }
}
