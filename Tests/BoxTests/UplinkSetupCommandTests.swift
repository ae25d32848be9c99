import Box
import Foundation
import SystemTestSupport
import Testing
import TestSupport

/// `uplink` at the console: a box flashed from the image has no shell and no editor, so the
/// technician sets the leased line's address and enrols the central office's certificate from
/// the USB stick there; both are kept on the data partition, and the box restarts to use them.
@Suite(.serialized, .timeLimit(.minutes(2)), .tags(.system), .skippedInFastRun) struct UplinkSetupCommandTests {
    @Test func theTechnicianSetsUpTheUplinkAtTheConsole() throws {
        let scratch = try ScratchDirectory()
        _ = try SimulationRig.daemonConfig(in: scratch, "lines: 1\ndemo_traffic: false\n")
        func ctl(_ words: String...) throws -> String { try PromptCommandTests.ctl(scratch, words) }
        func start() throws -> Process {
            let daemon = try PromptCommandTests.startDaemon(in: scratch, seconds: 60)
            var waited = 0
            while !((try? ctl("health")) ?? "").hasPrefix("healthy") && waited < 30_000 { usleep(20_000); waited += 20 }
            return daemon
        }
        // The first boot made the box's identity; the central office's certificate is on the stick.
        _ = try Tool.run(Tool.appliance, ["cert", "create", "--name", "box", "--out", scratch.path("box/tls")])
        _ = try Tool.run(Tool.appliance, ["cert", "create", "--name", "central", "--out", scratch.path("stick")])
        let first = try start()
        defer { if first.isRunning { first.terminate() } }
        #expect(try ctl("uplink").hasPrefix("uplink off: uplink listen HOST:PORT sets the leased line's address\n0 central office certificate(s) trusted"))
        for bad in [["listen", "10.8.0.21"], ["listen", "10.8.0.21:0"], ["listen", "10.8.0.21:65536"], ["listen", "a b:80"], ["listen", ":8443"], ["frobnicate"]] {
            #expect(try PromptCommandTests.ctl(scratch, ["uplink"] + bad).hasPrefix("usage: uplink"), "\(bad)")
        }
        #expect(try ctl("uplink", "enrol", scratch.path("stick/nothing.crt")).hasPrefix("error: \(scratch.path("stick/nothing.crt")): cannot read"))
        #expect(try ctl("uplink", "enrol", scratch.path("box.yaml")).hasPrefix("error: \(scratch.path("box.yaml")): not a PEM certificate"))
        #expect(!FileManager.default.fileExists(atPath: BoxConfig.uplinkListenFile(in: scratch.path("box"))))
        // Enrolled while the uplink is off: nothing restarts until it is told where to listen.
        let enrolled = try ctl("uplink", "enrol", scratch.path("stick/central.crt"))
        #expect(enrolled.hasPrefix("enrolled ") && enrolled.hasSuffix("; uplink listen HOST:PORT starts the uplink with it\n"), "\(enrolled)")
        let port = 20_000 + Int(getpid() % 20_000)
        #expect(try ctl("uplink", "listen", "127.0.0.1:\(port)").hasPrefix("uplink set to listen on 127.0.0.1:\(port); the box restarts"))
        // No call in progress: the daemon stops to be restarted (systemd's Restart=always).
        first.waitUntilExit()
        #expect(first.terminationStatus == 75)
        let second = try start()
        defer { if second.isRunning { second.terminate(); second.waitUntilExit() } }
        #expect(try ctl("uplink") == "uplink listening on 127.0.0.1:\(port) (set at the console)\n1 central office certificate(s) trusted, in \(scratch.path("box/tls/central"))\n")
        #expect(try ctl("health").contains("uplink listening"))
        // Another certificate with the uplink on (a rotation): the box restarts to trust it.
        _ = try Tool.run(Tool.appliance, ["cert", "create", "--name", "central-2027", "--out", scratch.path("stick")])
        #expect(try ctl("uplink", "enrol", scratch.path("stick/central-2027.crt")).hasSuffix("the box restarts to trust it as soon as no call is in progress\n"))
        second.waitUntilExit()
        #expect(second.terminationStatus == 75)
    }

    @Test func aConfigWithItsOwnUplinkSectionWins() throws {
        let scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: scratch.path("box"), withIntermediateDirectories: true)
        try "127.0.0.1:9\n".write(toFile: BoxConfig.uplinkListenFile(in: scratch.path("box")), atomically: true, encoding: .utf8)
        let file = try SimulationRig.daemonConfig(in: scratch, "uplink:\n  listen: 127.0.0.1:8443\n")
        let config = try BoxConfig.forCommand(file)
        #expect(config.uplink.port == 8443 && !config.uplink.setAtConsole)
        let console = try SimulationRig.daemonConfig(in: scratch, "lines: 1\n")
        let set = try BoxConfig.forCommand(console)
        #expect(set.uplink.enabled && set.uplink.host == "127.0.0.1" && set.uplink.port == 9 && set.uplink.setAtConsole)
    }
}
