import Box
import Foundation
import Lab
import SystemTestSupport
import Testing
import TestSupport

/// The firmware slots as RAUC 1.8 reports them (`rauc status --detailed --output-format=json`), read into
/// what the console's `update status` and `health` show.
@Suite(.tags(.unit)) struct SlotStatusTests {
    @Test func aFreshlyFlashedBoxShowsSlotABootedAndBEmpty() throws {
        let s = try SlotStatus(raucJSON: SimulatedRAUC.status(booted: "A", primary: "rootfs.0", bVersion: nil, bStatus: "bad"))
        #expect(s.booted?.bootname == "A")
        #expect(s.lines == ["slot A: version unknown (flashed, not installed by RAUC), good, booted, primary",
                            "slot B: version unknown (flashed, not installed by RAUC), bad"])
    }

    @Test func afterAnUpdateTheOtherSlotIsPrimaryWithItsVersion() throws {
        let s = try SlotStatus(raucJSON: SimulatedRAUC.status(booted: "B", primary: "rootfs.1", bVersion: "0.16.0", bStatus: "good"))
        #expect(s.booted?.version == "0.16.0")
        #expect(s.lines.last == "slot B: 0.16.0, good, booted, primary")
    }

    @Test(arguments: ["", "[]", "{\"slots\": 3}", "not json", "{\"booted\":\"A\"}"])
    func whatIsNotRAUCsStatusIsAnErrorThatSaysWhy(_ text: String) {
        #expect(throws: SlotStatus.Problem.self) { try SlotStatus(raucJSON: Data(text.utf8)) }
    }
}

/// On simulated lines a technician tries the box before a line is wired: `line call N` brings
/// one demo caller with a complaint to line N, and its case shows in `cases`; `health` says
/// what an update's mark-good waits for; `update` says plainly that a box installed from the
/// package has no RAUC.
@Suite(.serialized, .timeLimit(.minutes(2)), .tags(.system), .skippedInFastRun) struct DemoCallCommandTests {
    @Test func aDemoCallOnRequestBecomesACase() throws {
        let scratch = try ScratchDirectory()
        _ = try SimulationRig.daemonConfig(in: scratch, "lines: 2\ndemo_traffic: false\n")
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: Tool.appliance)
        daemon.arguments = ["run", "--virtual", "--seconds", "100", "--config", scratch.path("box.yaml")]
        daemon.standardOutput = FileHandle.nullDevice
        try daemon.run()
        defer { daemon.terminate(); daemon.waitUntilExit() }
        func ctl(_ words: String...) throws -> String { try PromptCommandTests.ctl(scratch, words) }
        var waited = 0
        while !((try? ctl("health")) ?? "").hasPrefix("healthy") && waited < 30_000 { usleep(50_000); waited += 50 }
        #expect(try ctl("health").hasPrefix("healthy: 2 simulated lines up, case store open"))
        #expect(try ctl("cases") .contains("no cases"))
        for words in [["line", "call"], ["line", "call", "x"], ["line", "ring", "1"], ["line", "call", "1", "2"]] {
            #expect(try PromptCommandTests.ctl(scratch, words).hasPrefix("usage: line"), "\(words)")
        }
        #expect(try ctl("line", "call", "7").hasPrefix("no line 7"))
        #expect(try ctl("line", "call", "1").contains("a demo caller calls"))
        waited = 0
        while !((try? ctl("cases")) ?? "").contains("complaint") && waited < 60_000 { usleep(100_000); waited += 100 }
        let cases = try ctl("cases")
        #expect(cases.contains("complaint"), "\(cases)")
        #expect(cases.split(separator: "\n").count == 1, "one call asked for, one case: \(cases)")
        #expect(try ctl("update", "status").hasPrefix("updates: no RAUC on this box"))
        #expect(try ctl("update", "install").hasPrefix("updates: no RAUC on this box"))
        #expect(daemon.isRunning)
    }
}

/// `update status` and `health` beside an install: RAUC (here a script that answers as RAUC's
/// command line does: its status JSON, and an install that runs until told to end) answers no
/// status while it installs, and the box asks it for none then.
@Suite(.tags(.unit)) struct UpdateInstallerTests {
    @Test func statusShowsTheInstallWithoutAskingRAUCAndHealthKeepsTheBootedSlot() throws {
        let scratch = try ScratchDirectory()
        let installer = UpdateInstaller(tools: try SimulatedRAUC.tools(in: scratch.url.path, installsUntilEnded: true), scratch: scratch.url.path)
        #expect(installer.status().hasPrefix("slot A: version unknown (flashed, not installed by RAUC), good, booted, primary"))
        #expect(installer.bootedSlot == "A")
        #expect(installer.slotVersions == "slots A as flashed (booted), B as flashed")
        try FileManager.default.createDirectory(atPath: scratch.path("stick"), withIntermediateDirectories: true)
        try Data("bundle".utf8).write(to: URL(fileURLWithPath: scratch.path("stick/next.raucb")))
        #expect(installer.install(nil).message.hasPrefix("installing \(scratch.path("stick/next.raucb"))"))
        var waited = 0
        while !FileManager.default.fileExists(atPath: scratch.path("installing")) && waited < 10_000 { usleep(10_000); waited += 10 }
        let during = installer.status()
        #expect(during.hasPrefix("slots: shown when the install has ended\ninstall of \(scratch.path("stick/next.raucb")): running for"), "\(during)")
        #expect(installer.bootedSlot == "A", "kept from before the install: RAUC answers no status now")
        #expect(installer.install(nil).message.hasPrefix("an install is running already"))
        try "".write(toFile: scratch.path("end"), atomically: true, encoding: .utf8)
        waited = 0
        while !installer.status().contains("done;") && waited < 10_000 { usleep(10_000); waited += 10 }
        #expect(installer.status().hasSuffix("install of \(scratch.path("stick/next.raucb")): done; `reboot confirm` starts it"))
    }

    @Test func manyAskingAtOnceAllGetTheSlots() async throws {
        let scratch = try ScratchDirectory()
        let installer = UpdateInstaller(tools: try SimulatedRAUC.tools(in: scratch.url.path, installsUntilEnded: true), scratch: scratch.url.path)
        let answers = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { (try? installer.slots())?.booted?.bootname } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == Array(repeating: "A", count: 8))
    }
}
