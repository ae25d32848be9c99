import ArgumentParser
import SystemSupport

/// `hotline-lab characterise`: the detectors swept under Mitel-style conditions.
package struct CharacteriseCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "characterise",
        abstract: "Sweep the detectors (Mitel-style conditions) and print the measured figures beside SpanDSP's reference figures.")
    @Flag(help: "Print JSON instead of text.")
    package var json = false

    package func run() throws {
        let figures = DetectorCharacterisation.measure()
        if json { try printJSON(figures); return }
        for f in figures { print("\(f.name)\n  measured:  \(f.measured)\n  reference: \(f.reference)") }
    }
}
