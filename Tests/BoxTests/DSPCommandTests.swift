import Foundation
import SystemTestSupport
import Testing
import TestSupport

/// `appliance dsp …` on files that other tools made, run as a technician would run it.
@Suite(.tags(.system), .skippedInFastRun) struct DSPCommandTests {
    let files: ForeignSignals
    init() throws { files = try ForeignSignals() }

    @Test func dtmfPrintsDigitTimesAndLevels() throws {
        let r = try Tool.appliance("dsp", "dtmf", try files.soxDTMF("1590*#"))
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.map { $0[0] } == ["1", "5", "9", "0", "*", "#"])
        for (i, fields) in lines.enumerated() {
            // Each digit starts 50 ms into its 180 ms slot and lasts 80 ms.
            let start = Int(fields[1])!, end = Int(fields[2])!, level = Int(fields[3])!
            #expect(abs(start - (i * 180 + 50)) <= 15)
            #expect(abs(end - (i * 180 + 130)) <= 15)
            #expect((-14)...(-8) ~= level)
        }
    }

    @Test func dtmfJSON() throws {
        let r = try Tool.appliance("dsp", "dtmf", "--json", try files.soxDTMF("42"))
        let digits = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
        #expect(digits?.map { $0["digit"] as? String } == ["4", "2"])
    }

    @Test(arguments: [
        ("busy.wav", 450, 0.35, 0.35, 5, "busy"),
        ("congestion.wav", 450, 0.7, 0.7, 4, "congestion"),
        ("ringback.wav", 450, 1.0, 4.0, 2, "ringback"),
        ("dial.wav", 450, 3.0, 0.0, 0, "dial"),
        ("cng.wav", 1100, 0.5, 3.0, 0, "cng"),
        ("ced.wav", 2100, 3.0, 0.0, 0, "ced"),
    ] as [(String, Int, Double, Double, Int, String)])
    func tonesNamesEachTone(name: String, hz: Int, on: Double, off: Double, repeats: Int, kind: String) throws {
        let r = try Tool.appliance("dsp", "tones", try files.soxTone(name, hz: hz, on: on, off: off, repeats: repeats, lead: 0.3))
        #expect(r.status == 0)
        let first = try #require(r.stdout.split(separator: "\n").first?.split(separator: " ").map(String.init))
        #expect(first[0] == kind)
        #expect(abs(Int(first[1])! - 300) <= 40)
        #expect(Int(first[2])! > Int(first[1])!)
        #expect(Set(r.stdout.split(separator: "\n").map { $0.split(separator: " ")[0] }) == [Substring(kind)])
    }

    @Test func busyFromSoxIsConfirmedWithinOnePointFiveSeconds() throws {
        let r = try Tool.appliance("dsp", "tones", try files.soxTone("b.wav", hz: 450, on: 0.35, off: 0.35, repeats: 5, gain: -30))
        let fields = r.stdout.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(fields.first == "busy")
        #expect(Int(fields[2])! <= 1500)
    }

    @Test func cidDecodesAnIndependentBell202MDMFEncoder() throws {
        let r = try Tool.appliance("dsp", "cid", try files.pythonBell202(number: "13812345678", name: "ZHAO LIU", stamp: "11291705"))
        #expect(r.status == 0)
        #expect(r.stdout == "standard=bell202\nformat=mdmf\nnumber=13812345678\nname=ZHAO LIU\ndatetime=11291705\n")
    }

    @Test func cidDecodesSDMFAtMinus40DBm0() throws {
        let r = try Tool.appliance("dsp", "cid", "--standard", "bell202",
                                   try files.pythonBell202(number: "02012345678", name: nil, stamp: "01020304", sdmf: true, dBm0: -40))
        #expect(r.stdout == "standard=bell202\nformat=sdmf\nnumber=02012345678\ndatetime=01020304\n")
    }

    @Test func cidWithNoCallerIDExitsOne() throws {
        let r = try Tool.appliance("dsp", "cid", try files.soxTone("t.wav", hz: 1000, on: 1, off: 0, repeats: 0))
        #expect(r.status == 1)
        #expect(r.stdout == "no caller ID\n")
    }

    @Test func faxLoopSendsALibtiffDocument() throws {
        let r = try Tool.appliance("dsp", "fax-loop", try files.netpbmFax())
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("pages=2"))
        #expect(r.stdout.contains("bit_rate=14400"))
        #expect(r.stdout.hasSuffix("pages_identical=yes\n"))
    }

    @Test func faxLoopWithoutECMAt9600() throws {
        let r = try Tool.appliance("dsp", "fax-loop", "--no-ecm", "--rate", "9600", try files.netpbmFax())
        #expect(r.status == 0)
        #expect(r.stdout.contains("ecm=no"))
        #expect(r.stdout.contains("bit_rate=9600"))
    }

    @Test func aStereoFileIsRefusedWithItsFormat() throws {
        let stereo = try files.soxConvert(try files.soxDTMF("1"), "stereo.wav", ["-c", "2", "-r", "44100"])
        let r = try Tool.appliance("dsp", "dtmf", stereo)
        #expect(r.status == 2)
        #expect(r.stderr == "error: \(stereo): 44100 Hz, 2 channels, 16-bit PCM; the box needs 8000 Hz, 1 channel, 16-bit PCM (convert with: sox IN -r 8000 -c 1 -b 16 OUT.wav)\n")
    }

    @Test func aNonWAVAndAMissingFileAreClearErrors() throws {
        let text = files.path("notes.wav")
        try "not audio".write(toFile: text, atomically: true, encoding: .utf8)
        let r = try Tool.appliance("dsp", "tones", text)
        #expect(r.status == 2)
        #expect(r.stderr == "error: \(text): not a WAV file (starts with \"not audio\")\n")
        let missing = try Tool.appliance("dsp", "cid", files.path("nothing.wav"))
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file"))
    }

    @Test func faxLoopRefusesANonTIFF() throws {
        let r = try Tool.appliance("dsp", "fax-loop", try files.soxDTMF("1"))
        #expect(r.status == 2)
        #expect(r.stderr.contains("not a TIFF file"))
    }

    @Test func selftestPassesOnThisMachine() throws {
        let r = try Tool.appliance("selftest")
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.hasSuffix("selftest: 9 passed, 0 failed\n"))
    }
}

@Suite(.tags(.unit)) struct CallerIDStandardResolutionTests {
    /// Both FSK receivers decode either spill; the report names the one that was sent.
    @Test(arguments: ["bell202", "v23"])
    func theStandardOnTheLineIsReported(standard: String) throws {
        let files = try ForeignSignals()
        let r = try Tool.appliance("dsp", "cid", try files.ownGenerator(standard: standard))
        #expect(r.stdout.hasPrefix("standard=\(standard)\n"))
        #expect(r.stdout.components(separatedBy: "standard=").count == 2)
    }
}
