import Box
import DSP
import Foundation
import HotlineModel
import IVR
import Lab
import UplinkWire

/// The parsers a peer, a pushed file or a technician can reach, one harness each: any bytes
/// must give a value or an error, never a crash, a hang or unbounded memory. `make fuzz` runs
/// each under libFuzzer with the address sanitizer (FUZZ_HARNESS selects it); built plainly,
/// `hotline-fuzz HARNESS FILE|DIR…` replays inputs (the corpus, and every crash found, which
/// then becomes a regression test in Tests/).
enum Harness: String, CaseIterable {
    case flow, config, json, wav, tiff, lineEditor = "line-editor", scenario, control, zip

    func run(_ data: Data) {
        switch self {
        case .flow:
            _ = FlowLoader.parse(String(decoding: data, as: UTF8.self), file: "fuzz.yaml", prompts: ["welcome", "goodbye", "beep"], documents: ["policy"])
        case .config:
            let file = Self.scratch("box.yaml")
            try? data.write(to: URL(fileURLWithPath: file))
            _ = try? BoxConfig.load(file)
        case .json:
            _ = try? WireJSON.decode(AckRequest.self, from: data)
            _ = try? WireJSON.decode(StatusUpdate.self, from: data)
            _ = try? WireJSON.decode(JSONValue.self, from: data)
        case .wav:
            _ = try? WAVFile.decode(data, path: "fuzz.wav")
        case .tiff:
            let file = Self.scratch("page.tif")
            try? data.write(to: URL(fileURLWithPath: file))
            _ = try? FaxDocument.read(file, maxPages: 20)
        case .lineEditor:
            var editor = LineEditor()
            for byte in data { _ = editor.feed(byte) }
        case .scenario:
            _ = try? Scenario.parse(data, file: "fuzz.json")
        case .control:
            // Each line as a technician's command, answered as the worker answers it; the
            // event thread's commands stop at their hand-over. `selftest` is seconds of DSP
            // with no argument to parse, so it is left out.
            for line in String(decoding: data.prefix(ControlServer.Limits.maxLine), as: UTF8.self).split(separator: "\n")
            where !line.hasPrefix("selftest") {
                _ = ControlCommands.answerOnWorker(String(line), queries: Self.queries)
            }
        case .zip:
            // The first byte picks the pack; the rest is the zip.
            let kind: ContentKind = data.first.map { $0 & 1 == 0 } ?? true ? .prompts : .documents
            _ = try? ContentPush(store: Self.content.store, active: Self.content, timeLimit: .seconds(10)).push(kind, body: data.dropFirst())
        }
    }

    /// A box of this process's own for the control and zip harnesses: an empty store, the
    /// repository's flow and prompts, power commands that do nothing.
    static let box: BoxConfig = {
        var config = BoxConfig()
        config.dataDirectory = scratch("box")
        config.rebootCommand = ["/bin/true"]
        config.shutdownCommand = ["/bin/true"]
        try? FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        return config
    }()
    static let queries = try! ControlQueries(config: box, configFile: nil, board: ControlBoard())
    static let content = ActiveContent(store: ContentStore(dataDirectory: box.dataDirectory), config: box)

    /// A file of this process's own, rewritten for each input.
    static func scratch(_ name: String) -> String { "\(FileManager.default.temporaryDirectory.path)/hotline-fuzz-\(getpid())-\(name)" }

    static let selected: Harness = {
        let name = ProcessInfo.processInfo.environment["FUZZ_HARNESS"] ?? "flow"
        guard let h = Harness(rawValue: name) else { fatalError("FUZZ_HARNESS must be one of \(allCases.map(\.rawValue))") }
        return h
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    Harness.selected.run(Data(bytes: bytes, count: count))
    return 0
}

#if FUZZING
/// SwiftPM names an executable's entry point after its target; under libFuzzer it hands over
/// to libFuzzer's own driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("HotlineFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
}
#else
@main struct Replay {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "seeds", let dir = arguments.dropFirst().first { return try writeSeeds(into: dir) }
        guard let name = arguments.first, let harness = Harness(rawValue: name) else {
            print("usage: hotline-fuzz \(Harness.allCases.map(\.rawValue).joined(separator: "|")) FILE|DIR…")
            exit(2)
        }
        var replayed = 0
        for path in arguments.dropFirst() {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: path)).map { $0.sorted().map { "\(path)/\($0)" } } ?? [path]
            for file in files {
                harness.run(try Data(contentsOf: URL(fileURLWithPath: file)))
                replayed += 1
            }
        }
        print("\(harness.rawValue): \(replayed) inputs replayed, no crash")
    }

    /// Seed inputs made by our own writers (not committed: generated audio and pages are made
    /// from sources): DIR/wav and DIR/tiff.
    static func writeSeeds(into dir: String) throws {
        for sub in ["wav", "tiff", "zip", "scenario"] { try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true) }
        try WAVFile.write((0..<400).map { Int16(truncatingIfNeeded: $0 * 97) }, to: "\(dir)/wav/tone.wav")
        try FaxDocument.write([FaxPage(rows: [[UInt8]](repeating: [UInt8](repeating: 0x5A, count: FaxPage.standardWidth / 8), count: 4))], to: "\(dir)/tiff/page.tif")
        let wav = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/wav/tone.wav"))
        let tiff = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/tiff/page.tif"))
        try (Data([0]) + ContentPush.pack(["welcome.wav": wav, "beep2.wav": wav])).write(to: URL(fileURLWithPath: "\(dir)/zip/prompts.zip"))
        try (Data([1]) + ContentPush.pack(["policy.txt": Data("政策说明\n第一条".utf8), "form.tif": tiff])).write(to: URL(fileURLWithPath: "\(dir)/zip/documents.zip"))
        // The repository's scenarios are the scenario harness's seeds.
        let scenarios = FileManager.default.currentDirectoryPath + "/scenarios"
        for file in (try? FileManager.default.contentsOfDirectory(atPath: scenarios)) ?? [] where file.hasSuffix(".json") {
            try? FileManager.default.copyItem(atPath: "\(scenarios)/\(file)", toPath: "\(dir)/scenario/\(file)")
        }
    }
}
#endif
