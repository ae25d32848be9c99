import ArgumentParser

package struct SelfTestCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Run every DSP function through a loopback on this machine and print the results.")

    package func run() throws {
        let checks = DSPSelfTest.runAll()
        for c in checks { print("\(c.passed ? "PASS" : "FAIL") \(c.name): \(c.detail)") }
        let failed = checks.filter { !$0.passed }.count
        print("selftest: \(checks.count - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
