import ArgumentParser
import DSP
import Foundation

struct DSPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dsp",
        abstract: "Analyse line audio offline (WAV, 8 kHz mono 16-bit) with the box's detectors.",
        subcommands: [DTMF.self, CID.self, Tones.self, FaxLoop.self, Characterise.self]
    )

    struct Options: ParsableArguments {
        @Argument(help: "WAV file: 8 kHz, mono, 16-bit PCM.")
        var file: String

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func samples() throws -> [Int16] {
            do { return try WAVFile.read(file) } catch { throw CommandFailure(error.description) }
        }
    }

    struct DTMF: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per digit: DIGIT START_MS END_MS LEVEL_DBM0.")
        @OptionGroup var options: Options

        func run() throws {
            let digits = SignalAnalysis.dtmf(try options.samples())
            if options.json { try printJSON(digits) }
            else { digits.forEach { print("\($0.digit) \($0.startMs) \($0.endMs) \($0.levelDBm0)") } }
        }
    }

    struct CID: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each caller-ID message as key=value lines (standard, number, name, date/time); exits 1 when there is none.")
        @OptionGroup var options: Options
        @Option(help: "Only this standard: bell202, v23 or dtmf (default: all).")
        var standard: CallerIDStandard?

        func run() throws {
            let ids = SignalAnalysis.callerIDs(try options.samples(), standards: standard.map { [$0] } ?? CallerIDStandard.allCases)
            if options.json { try printJSON(ids) }
            else if ids.isEmpty { print("no caller ID") }
            else { print(ids.map { $0.keyValueLines.joined(separator: "\n") }.joined(separator: "\n\n")) }
            if ids.isEmpty { throw ExitCode(1) }
        }
    }

    struct Tones: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each call-progress or fax tone: KIND ONSET_MS CONFIRMED_MS (dial, busy, congestion, ringback, cng, ced).")
        @OptionGroup var options: Options

        func run() throws {
            let tones = SignalAnalysis.tones(try options.samples())
            if options.json { try printJSON(tones) }
            else { tones.forEach { print("\($0.kind) \($0.onsetMs) \($0.confirmedMs)") } }
        }
    }

    struct FaxLoop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fax-loop",
            abstract: "Send a TIFF between two fax terminals back to back and print the result records.")
        @Argument(help: "TIFF-F document to send.")
        var pages: String
        @Option(help: "Highest bit rate: 14400, 9600 or 4800.")
        var rate = 14400
        @Flag(inversion: .prefixedNo, help: "Error correction mode.")
        var ecm = true
        @Option(help: "Where to keep the received TIFF (default: a temporary file, removed).")
        var received: String?
        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            let target = received ?? FileManager.default.temporaryDirectory.appendingPathComponent("fax-loop-\(getpid()).tif").path
            defer { if received == nil { try? FileManager.default.removeItem(atPath: target) } }
            let outcome: FaxLoopback.Outcome
            do { outcome = try FaxLoopback.run(document: pages, received: target, ecm: ecm, maxBitRate: rate) }
            catch { throw CommandFailure(error.description) }
            let identical = outcome.receiver.success && (try? FaxDocument.read(pages)) == (try? FaxDocument.read(target))
            if json {
                try printJSON(["sender": outcome.sender, "receiver": outcome.receiver])
            } else {
                print("[sender]")
                outcome.sender.keyValueLines.forEach { print($0) }
                print("\n[receiver]")
                outcome.receiver.keyValueLines.forEach { print($0) }
                print("\npages_identical=\(identical ? "yes" : "no")")
            }
            if !(outcome.sender.success && outcome.receiver.success && identical) { throw ExitCode(1) }
        }
    }

    struct Characterise: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sweep the detectors (Mitel-style conditions) and print the measured figures beside SpanDSP's reference figures.")
        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            let figures = DetectorCharacterisation.measure()
            if json { try printJSON(figures); return }
            for f in figures { print("\(f.name)\n  measured:  \(f.measured)\n  reference: \(f.reference)") }
        }
    }
}

extension CallerIDStandard: ExpressibleByArgument {}

/// A failure the user caused or can fix: printed as one line on stderr, exit status 2.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
