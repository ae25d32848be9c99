import Box
import DSP
import Foundation
import IVR
import UplinkWire

/// The parsers a peer, a pushed file or a technician can reach, one harness each: any bytes
/// must give a value or an error, never a crash, a hang or unbounded memory. `make fuzz` runs
/// each under libFuzzer with the address sanitizer (FUZZ_HARNESS selects it); built plainly,
/// `hotline-fuzz HARNESS FILE|DIR…` replays inputs (the corpus, and every crash found, which
/// then becomes a regression test in Tests/).
enum Harness: String, CaseIterable {
    case flow, config, json, wav, tiff, lineEditor = "line-editor"

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
        }
    }

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
        for sub in ["wav", "tiff"] { try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true) }
        try WAVFile.write((0..<400).map { Int16(truncatingIfNeeded: $0 * 97) }, to: "\(dir)/wav/tone.wav")
        try FaxDocument.write([FaxPage(rows: [[UInt8]](repeating: [UInt8](repeating: 0x5A, count: FaxPage.standardWidth / 8), count: 4))], to: "\(dir)/tiff/page.tif")
    }
}
#endif
