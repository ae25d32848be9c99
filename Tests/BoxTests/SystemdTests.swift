import Box
import Foundation
import SystemTestSupport
import Testing
import TestSupport

@Suite(.tags(.system), .skippedInFastRun) struct SystemdTests {
    /// The units as shipped, with the binaries under test standing in for /usr/bin's (every
    /// unit beside the one verified, so a timer finds its service).
    @Test(arguments: [("appliance.service", "appliance.service"), ("appliance-console@.service", "appliance-console@ttyS0.service"),
                      ("hotline-central-pull.service", "hotline-central-pull.service"), ("hotline-central-pull.timer", "hotline-central-pull.timer")])
    func unitsPassSystemdVerify(file: String, unit: String) throws {
        let scratch = try ScratchDirectory()
        let shipped = "\(SimulationRig.repository)/systemd"
        for name in try FileManager.default.contentsOfDirectory(atPath: shipped) where name.hasSuffix(".service") || name.hasSuffix(".timer") {
            try String(contentsOfFile: "\(shipped)/\(name)", encoding: .utf8)
                .replacingOccurrences(of: "/usr/bin/appliance", with: Tool.appliance)
                .replacingOccurrences(of: "/usr/bin/hotline-central", with: Tool.central)
                .write(toFile: scratch.path(name), atomically: true, encoding: .utf8)
        }
        if unit != file { try FileManager.default.createSymbolicLink(atPath: scratch.path(unit), withDestinationPath: scratch.path(file)) }
        let r = try Tool.run("/usr/bin/systemd-analyze", ["verify", scratch.path(unit)])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(!r.stderr.contains(file), "\(r.stderr)")
    }

    /// `systemd-analyze security` scores the shipped units at most 3.5 ("OK"); the figures are
    /// in docs/RELIABILITY.md.
    @Test(arguments: [("appliance.service", "appliance.service"), ("appliance-console@.service", "appliance-console@ttyS0.service"),
                      ("hotline-central-pull.service", "hotline-central-pull.service")])
    func unitsAreHardened(file: String, unit: String) throws {
        let scratch = try ScratchDirectory()
        try FileManager.default.copyItem(atPath: "\(SimulationRig.repository)/systemd/\(file)", toPath: scratch.path(unit))
        let r = try Tool.run("/usr/bin/systemd-analyze", ["security", "--offline=true", scratch.path(unit)])
        let score = try #require(r.stdout.firstMatch(of: /Overall exposure level for [^:]+: (\d+\.\d+)/).flatMap { Double($0.1) }, "\(r.stdout)\(r.stderr)")
        #expect(score <= 3.5, "\(unit): \(score)")
    }

    /// READY once up, WATCHDOG while frames run, STOPPING on the way out: datagrams on the
    /// socket systemd would give it.
    @Test func theDaemonTalksToSystemd() throws {
        let scratch = try ScratchDirectory()
        let socketPath = scratch.path("notify.sock")
        let fd = try #require(datagramSocket(at: socketPath))
        defer { close(fd) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = try SimulationRig.daemonConfig(in: scratch, "lines: 1\ndemo_traffic: false\n")
        let box = Process()
        box.executableURL = URL(fileURLWithPath: Tool.appliance)
        box.arguments = ["run", "--seconds", "3", "--config", scratch.path("box.yaml")]
        box.environment = ProcessInfo.processInfo.environment.merging(["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "400000"]) { $1 }
        box.standardOutput = FileHandle.nullDevice
        try box.run()
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while !messages.contains("STOPPING=1") {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            messages.append(String(decoding: buffer[0..<n], as: UTF8.self))
        }
        box.waitUntilExit()
        #expect(messages.first?.hasPrefix("READY=1") == true)
        #expect(messages.last == "STOPPING=1")
        // Three seconds at one ping per 0.2 s.
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 8)
    }
}

@Suite(.tags(.unit)) struct WatchdogTests {
    final class Counter: @unchecked Sendable { var pings = 0 }

    /// Pings go out while the heartbeat moves and stop when it freezes; they resume with it.
    @Test func pingsStopWhenTheFrameLoopStalls() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("n.sock")
        let fd = try #require(datagramSocket(at: path))
        defer { close(fd) }
        func received() -> Int {
            var n = 0
            var buffer = [UInt8](repeating: 0, count: 64)
            while buffer.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 { n += 1 }
            return n
        }
        let env = ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"]
        let dog = Watchdog(notifier: SystemdNotifier(environment: env), environment: env, now: 0)
        #expect(dog.interval == 0.5)
        var beat = 0
        // Ten seconds of a running loop, checked every 50 ms: one ping per half second.
        var pings = 0
        for step in 0..<200 { beat += 1; dog.tick(now: Double(step) * 0.05, heartbeat: beat); pings += received() }
        #expect(pings == 20)
        // The loop stalls: two seconds of grace, then no more pings, and the stall is reported once.
        var reports = 0
        pings = 0
        for step in 200..<400 { if dog.tick(now: Double(step) * 0.05, heartbeat: beat) { reports += 1 }; pings += received() }
        #expect(pings == 4)
        #expect(reports == 1)
        #expect(dog.stalled)
        // Frames again: pings again.
        pings = 0
        for step in 400..<440 { beat += 1; dog.tick(now: Double(step) * 0.05, heartbeat: beat); pings += received() }
        #expect(pings >= 3)
    }

    @Test func withoutSystemdNothingIsSent() {
        #expect(!SystemdNotifier(environment: [:]).send("READY=1"))
        #expect(Watchdog(notifier: SystemdNotifier(environment: [:]), environment: [:], now: 0).interval == nil)
    }
}

/// A datagram socket bound at `path`, standing in for systemd's notify socket.
func datagramSocket(at path: String) -> Int32? {
    guard let address = UnixSocketAddress(path) else { return nil }
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    if address.withSockaddr({ bind(fd, $0, $1) }) == 0 { return fd }
    close(fd)
    return nil
}
