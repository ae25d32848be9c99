import DSP
import Foundation
import HotlineModel
import IVR
import ZIPFoundation

/// Checks a push from the central office against what is in force and, only if everything
/// holds, makes it the new generation. A refused push leaves nothing behind and the content in
/// force keeps serving.
package struct ContentPush {
    package let store: ContentStore
    package let active: ActiveContent
    /// `push_timeout`: the checks stop once it has passed, not only the connection.
    private let timeLimit: Duration
    private let deadline: ContinuousClock.Instant

    package init(store: ContentStore, active: ActiveContent, timeLimit: Duration) {
        self.store = store
        self.active = active
        self.timeLimit = timeLimit
        deadline = .now + timeLimit
    }

    package struct Refused: Error, CustomStringConvertible {
        package var problems: [String]
        package var description: String { problems.joined(separator: "\n") }
    }

    /// Limits a push must respect, whatever it claims about itself.
    package static let maxPackBytes = 64 << 20
    /// A flow or a calendar: text a person wrote.
    package static let maxDocumentBytes = 1 << 20
    package static let maxPromptSeconds = 120
    package static let maxDocumentPages = 20
    /// Pages in one document set, all documents together: each costs rendering time and disk.
    package static let maxPackPages = 200
    /// Entries in one pack: each costs a staged file and a check.
    package static let maxPackEntries = 500

    package func push(_ kind: ContentKind, body: Data) throws -> String {
        let staged = try store.stage(kind)
        do {
            switch kind {
            case .flow: try checkFlow(body, into: staged)
            case .prompts: try checkPrompts(body, into: staged)
            case .documents: try checkDocuments(body, into: staged)
            case .calendar: try checkCalendar(body, into: staged)
            }
            return try store.commit(staged, kind: kind)
        } catch {
            store.discard(staged)
            throw error
        }
    }

    private func checkFlow(_ body: Data, into staged: String) throws {
        let text = try document(body, "flow")
        try body.write(to: URL(fileURLWithPath: "\(staged)/\(ActiveContent.flowFileName)"))
        if case .failure(let errors) = FlowLoader.parse(text, file: "pushed flow", prompts: try active.promptNames(), documents: try active.documentNames(),
                                                   services: Set(try active.calendar().services.keys)) {
            throw Refused(problems: errors.errors.map(\.description))
        }
    }

    /// A calendar is checked whole, and then against the flow in force: every service a `when:`
    /// names must still be there, and so must every `hours_SERVICE` prompt the flow plays.
    private func checkCalendar(_ body: Data, into staged: String) throws {
        let calendar: ServiceCalendar
        switch ServiceCalendar.parse(document: try document(body, "calendar"), file: "pushed calendar") {
        case .failure(let errors): throw Refused(problems: errors.errors.map(\.description))
        case .success(let pushed): calendar = pushed.filled(from: BoxConfig.defaultCalendar)
        }
        try body.write(to: URL(fileURLWithPath: "\(staged)/\(ActiveContent.calendarFileName)"))
        let prompts = try PromptLibrary.names(in: active.promptDirectory).union(ActiveContent.generatedPromptNames(calendar))
        let problems = flowProblems(prompts: prompts, documents: try active.documentNames(), calendar: calendar, what: "calendar")
        if !problems.isEmpty { throw Refused(problems: problems) }
    }

    /// A pushed YAML document's text: UTF-8, and no larger than a document needs to be.
    private func document(_ body: Data, _ what: String) throws -> String {
        guard body.count <= Self.maxDocumentBytes else { throw Refused(problems: ["the \(what) is larger than \(Self.maxDocumentBytes >> 10) KiB"]) }
        guard let text = String(data: body, encoding: .utf8) else { throw Refused(problems: ["the \(what) is not UTF-8 text"]) }
        return text
    }

    private func checkPrompts(_ body: Data, into staged: String) throws {
        var problems: [String] = []
        var names = Set<String>()
        for (name, data) in try unpack(body, allowed: ["wav"], beside: staged, problems: &problems) {
            try checkTime(at: name)
            do {
                let samples = try WAVFile.decode(data, path: name)
                if samples.count > Self.maxPromptSeconds * SampleClock.rate { problems.append("\(name): longer than \(Self.maxPromptSeconds) s") }
                try data.write(to: URL(fileURLWithPath: "\(staged)/\(name)"))
                names.insert(String(name.dropLast(4)))
            } catch {
                problems.append("\(error)")
            }
        }
        if problems.isEmpty {
            problems += flowProblems(prompts: names.union(ActiveContent.generatedPromptNames(try active.calendar())), documents: try active.documentNames(),
                                     calendar: try active.calendar(), what: "prompt pack")
        }
        if !problems.isEmpty { throw Refused(problems: problems) }
    }

    private func checkDocuments(_ body: Data, into staged: String) throws {
        var problems: [String] = []
        var names = Set<String>()
        var pageCount = 0
        for (name, data) in try unpack(body, allowed: ["txt", "tif"], beside: staged, problems: &problems) {
            try checkTime(at: name)
            let base = String(name.prefix { $0 != "." })
            let tiff = "\(staged)/\(base).tif"
            do {
                let pages: [FaxPage]
                if name.hasSuffix(".txt") {
                    guard let text = String(data: data, encoding: .utf8), !text.isEmpty else { problems.append("\(name): not UTF-8 text, or empty"); continue }
                    pages = try FaxTextRenderer(for: text).pages(text, maxPages: Self.maxDocumentPages)
                    try FaxDocument.write(pages, to: tiff)
                } else {
                    try data.write(to: URL(fileURLWithPath: tiff))
                    pages = try FaxDocument.read(tiff, maxPages: Self.maxDocumentPages)
                }
                pageCount += pages.count
                guard pageCount <= Self.maxPackPages else { throw Refused(problems: ["the document set holds more than \(Self.maxPackPages) pages (stopped at \(name))"]) }
                if !names.insert(base).inserted { problems.append("\(name): two documents named \(base)") }
            } catch let refused as Refused {
                throw refused
            } catch {
                problems.append("\(name): \(error)")
            }
        }
        if problems.isEmpty {
            problems += flowProblems(prompts: try active.promptNames(), documents: names, calendar: try active.calendar(), what: "document set")
        }
        if !problems.isEmpty { throw Refused(problems: problems) }
    }

    /// A pack as the central office makes one: each file deflated under its flat name.
    package static func pack(_ files: [String: Data]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for (name, data) in files.sorted(by: { $0.key < $1.key }) {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw Refused(problems: ["the pack could not be made in memory"]) }
        return data
    }

    /// Refuses the push once `push_timeout` has passed: checked per entry and per inflated chunk,
    /// so a pack that is slow to check costs its time limit, not the pusher thread for good.
    private func checkTime(at name: String) throws {
        guard ContinuousClock.now >= deadline else { return }
        throw Refused(problems: ["the push took longer than push_timeout (\(timeLimit.components.seconds) s) to check (stopped at \(name))"])
    }

    /// The flow in force must still validate against the new prompts, documents or calendar.
    private func flowProblems(prompts: Set<String>, documents: Set<String>, calendar: ServiceCalendar, what: String) -> [String] {
        guard case .failure(let errors) = FlowLoader.load(file: active.flowFile, prompts: prompts, documents: documents,
                                                       services: Set(calendar.services.keys)) else { return [] }
        return errors.errors.map { "the flow in force would break with this \(what): \($0)" }
    }

    /// The files of a zip pack: flat names of letters, digits and _ with an allowed extension,
    /// no directories or links. The size limit counts the bytes actually inflated, across all
    /// entries, never what the archive claims, and each entry's CRC-32 must match (ZIPFoundation
    /// computes it while inflating but leaves the comparison to its caller).
    /// The archive is read from a file beside the staging directory, never from memory:
    /// ZIPFoundation's in-memory reader traps on an entry whose offset lies past the end of the
    /// data (found by the zip fuzz harness), where reading a file just comes up short.
    private func unpack(_ body: Data, allowed: Set<String>, beside staged: String, problems: inout [String]) throws -> [(String, Data)] {
        let limit = "\(Self.maxPackBytes >> 20) MiB"
        guard body.count <= Self.maxPackBytes else { throw Refused(problems: ["the pack is larger than \(limit)"]) }
        // A ".staging-" name, so a crash before the removal leaves it to the next prune.
        let packFile = "\(staged).zip"
        try body.write(to: URL(fileURLWithPath: packFile))
        defer { try? FileManager.default.removeItem(atPath: packFile) }
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: packFile), accessMode: .read) } catch { throw Refused(problems: ["the pack is not a readable zip archive"]) }
        var files: [(String, Data)] = []
        var inflated = 0, entries = 0
        for entry in archive {
            entries += 1
            guard entries <= Self.maxPackEntries else { throw Refused(problems: ["the pack holds more than \(Self.maxPackEntries) entries"]) }
            let name = entry.path
            let parts = name.split(separator: ".")
            guard entry.type == .file, parts.count == 2, allowed.contains(String(parts[1])),
                  parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                problems.append("\(name): not allowed in this pack (flat NAME.\(allowed.sorted().joined(separator: "|")) files only)")
                continue
            }
            var data = Data()
            do {
                let crc = try archive.extract(entry) { chunk in
                    inflated += chunk.count
                    try checkTime(at: name)
                    guard inflated <= Self.maxPackBytes else { throw Refused(problems: ["the pack unpacks to more than \(limit) (stopped inflating \(name))"]) }
                    data.append(chunk)
                }
                guard crc == entry.checksum else {
                    problems.append("\(name): its CRC-32 does not match its data")
                    continue
                }
            } catch let refused as Refused {
                throw refused
            } catch {
                problems.append("\(name): cannot be unpacked (\(error))")
                continue
            }
            files.append((name, data))
        }
        // ZIPFoundation ends its iteration quietly at the first entry it cannot read.
        if let listed = Self.listedEntries(body), listed != entries {
            problems.append("the pack's directory lists \(listed) entries but only \(entries) can be read (cut short or corrupt)")
        }
        if files.isEmpty && problems.isEmpty { problems.append("the pack holds no files") }
        return files
    }

    /// The entry count in the zip's end-of-central-directory record, which sits in the last
    /// 22 bytes plus at most a 64 KiB comment; nil where the pack has none or defers to ZIP64.
    private static func listedEntries(_ body: Data) -> Int? {
        let bytes = [UInt8](body.suffix(22 + 0xFFFF))
        guard bytes.count >= 22 else { return nil }
        for i in stride(from: bytes.count - 22, through: 0, by: -1) where bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 5 && bytes[i + 3] == 6 {
            let total = Int(bytes[i + 10]) | Int(bytes[i + 11]) << 8
            return total == 0xFFFF ? nil : total
        }
        return nil
    }
}

