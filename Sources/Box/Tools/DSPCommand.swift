import ArgumentParser
import DSP
import Foundation
import SystemSupport

package struct DSPCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "dsp",
        abstract: "Analyse line audio offline (WAV, 8 kHz mono 16-bit) with the box's detectors.",
        subcommands: [DTMF.self, CID.self, Tones.self, FaxLoop.self, MovedCommand<Moved.Characterise>.self]
    )

    package struct Options: ParsableArguments {
        package init() {}

        @Argument(help: "WAV file: 8 kHz, mono, 16-bit PCM.")
        package var file: String

        @Flag(help: "Print JSON instead of text.")
        package var json = false

        package func samples() throws -> [Int16] {
            do { return try WAVFile.read(file) } catch { throw CommandFailure(error.description) }
        }
    }

    package struct DTMF: ParsableCommand {
        package init() {}

        package static let configuration = CommandConfiguration(abstract: "One line per digit: DIGIT START_MS END_MS LEVEL_DBM0.")
        @OptionGroup package var options: Options

        package func run() throws {
            let digits = SignalAnalysis.dtmf(try options.samples())
            if options.json { try printJSON(digits) }
            else { digits.forEach { print("\($0.digit) \($0.startMs) \($0.endMs) \($0.levelDBm0)") } }
        }
    }

    package struct CID: ParsableCommand {
        package init() {}

        package static let configuration = CommandConfiguration(
            abstract: "Each caller-ID message as key=value lines (standard, number, name, date/time); exits 1 when there is none.")
        @OptionGroup package var options: Options
        @Option(help: "Only this standard: bell202, v23 or dtmf (default: all).")
        package var standard: CallerIDStandard?

        package func run() throws {
            let ids = SignalAnalysis.callerIDs(try options.samples(), standards: standard.map { [$0] } ?? CallerIDStandard.allCases)
            if options.json { try printJSON(ids) }
            else if ids.isEmpty { print("no caller ID") }
            else { print(ids.map { $0.keyValueLines.joined(separator: "\n") }.joined(separator: "\n\n")) }
            if ids.isEmpty { throw ExitCode(1) }
        }
    }

    package struct Tones: ParsableCommand {
        package init() {}

        package static let configuration = CommandConfiguration(
            abstract: "Each call-progress or fax tone: KIND ONSET_MS CONFIRMED_MS (dial, busy, congestion, ringback, cng, ced).")
        @OptionGroup package var options: Options

        package func run() throws {
            let tones = SignalAnalysis.tones(try options.samples())
            if options.json { try printJSON(tones) }
            else { tones.forEach { print("\($0.kind) \($0.onsetMs) \($0.confirmedMs)") } }
        }
    }

    package struct FaxLoop: ParsableCommand {
        package init() {}

        package static let configuration = CommandConfiguration(
            commandName: "fax-loop",
            abstract: "Send a TIFF between two fax terminals back to back and print the result records.")
        @Argument(help: "TIFF-F document to send.")
        package var pages: String
        @Option(help: "Highest bit rate: 14400, 9600 or 4800.")
        package var rate = 14400
        @Flag(inversion: .prefixedNo, help: "Error correction mode.")
        package var ecm = true
        @Option(help: "Where to keep the received TIFF (default: a temporary file, removed).")
        package var received: String?
        @Flag(help: "Print JSON instead of text.")
        package var json = false

        package func run() throws {
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
}

extension CallerIDStandard: ExpressibleByArgument {}

