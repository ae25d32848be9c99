import Foundation
import HotlineModel
import IVR

/// Where each kind of content in force lives: the pushed generation, or the config's.
package struct ActiveContent: Sendable {
    package static let flowFileName = "flow.yaml"
    package static let calendarFileName = "calendar.yaml"
    package let store: ContentStore
    package let config: BoxConfig

    package init(store: ContentStore, config: BoxConfig) {
        self.store = store
        self.config = config
    }

    package var flowFile: String { store.active(.flow).map { "\($0.path)/\(Self.flowFileName)" } ?? config.flowFile }
    package var promptDirectory: String { store.active(.prompts)?.path ?? config.promptCache ?? "\(config.dataDirectory)/prompts/cmn" }
    package var documentDirectory: String { store.active(.documents)?.path ?? "\(config.dataDirectory)/documents" }
    /// The prompts the box speaks from its own config (each service's hours), beside any pack.
    package var calendarPromptDirectory: String { "\(config.dataDirectory)/prompts/calendar" }

    /// The calendar in force: pushed, or the config's. Services a pushed one leaves out keep
    /// their default hours, as in the config.
    package func calendar() throws -> ServiceCalendar {
        guard let pushed = store.active(.calendar) else { return config.calendar }
        let file = "\(pushed.path)/\(Self.calendarFileName)"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw SourceError(file: file, line: 0, message: "cannot read the pushed calendar") }
        return try ServiceCalendar.parse(document: text, file: file).get().filled(from: BoxConfig.defaultCalendar)
    }

    /// Prompts every pack is given on top of its own files: the beep and `calendar`'s hours.
    package static func generatedPromptNames(_ calendar: ServiceCalendar) -> Set<String> {
        Set(calendar.hoursPromptTexts.keys).union([PromptLibrary.beepName])
    }

    package func promptNames() throws -> Set<String> {
        try PromptLibrary.names(in: promptDirectory).union(Self.generatedPromptNames(calendar()))
    }

    /// The pack in force (pushed, or spoken from the config's texts) with the hours of the
    /// calendar in force spoken beside it; hours that cannot be spoken are silent and `report`ed.
    package func prompts(report: (String) -> Void) throws -> PromptLibrary {
        let pack = try store.active(.prompts) != nil
            ? PromptLibrary.load(directory: promptDirectory)
            : PromptLibrary.build(source: config.promptsFile, into: promptDirectory)
        let hours = PromptLibrary.speakOrSilence(try calendar().hoursPromptTexts, into: calendarPromptDirectory, from: "calendar", report: report)
        return pack.merging(hours)
    }

    package func documentNames() throws -> Set<String> { Set(try documents().keys) }

    /// Document name → TIFF file.
    package func documents() throws -> [String: String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: documentDirectory)) ?? []
        return Dictionary(uniqueKeysWithValues: files.filter { $0.hasSuffix(".tif") }.map { (String($0.dropLast(4)), "\(documentDirectory)/\($0)") })
    }
}
