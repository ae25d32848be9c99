import DSP
import Foundation
import HotlineModel
import IVR
import LineDriver

/// The prompts a flow can play, decoded once and kept for the life of the flow (the frame
/// thread never drops the last reference to one). The pack is a directory of NAME.wav files
/// (8 kHz mono 16-bit); the default Mandarin pack is spoken by espeak-ng from a committed text
/// file into that directory, again for any prompt whose text changed.
package final class PromptLibrary: @unchecked Sendable {
    // Unchecked: immutable after init.
    package let prompts: [String: PromptAudio]
    package static let beepName = "beep"

    package init(prompts: [String: PromptAudio]) {
        var all = prompts
        all[Self.beepName] = PromptAudio(name: Self.beepName, samples: Signal.sines([(1000, -10)], count: SampleClock.samples(ms: 300)))
        self.prompts = all
    }

    package var names: Set<String> { Set(prompts.keys) }

    package subscript(name: String) -> PromptAudio? { prompts[name] }

    /// The spoken digits of `number`, digit by digit.
    package func digits(_ number: String) -> [PromptAudio] { number.compactMap { prompts["digit_\($0)"] } }

    /// Loads every WAV in `directory`; a bad file is an error naming it.
    package static func load(directory: String) throws -> PromptLibrary {
        var prompts: [String: PromptAudio] = [:]
        for name in try names(in: directory) {
            prompts[name] = PromptAudio(name: name, samples: try WAVFile.read("\(directory)/\(name).wav"))
        }
        return PromptLibrary(prompts: prompts)
    }

    /// The prompts a pack directory holds: its NAME.wav files.
    package static func names(in directory: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".wav") }.map { String($0.dropLast(4)) })
    }

    /// Speaks every prompt of `source` (a YAML file of name: text) into `directory` where the
    /// cached text differs, then loads the pack.
    package static func build(source: String, into directory: String, voice: String = "cmn") throws -> PromptLibrary {
        try speak(try texts(source), into: directory, from: source, voice: voice)
    }

    /// Speaks each name: text into `directory` where the cached text differs, then loads the
    /// directory; a failure names `source`, where the texts came from.
    package static func speak(_ texts: [String: String], into directory: String, from source: String, voice: String = "cmn") throws -> PromptLibrary {
        if let first = try speakStale(texts, into: directory, voice: voice).first {
            throw SourceError(file: source, line: 0, message: "cannot speak prompt \(first)")
        }
        return try load(directory: directory)
    }

    /// Speaks like `speak`, but a prompt that cannot be spoken (no espeak-ng on the box, a
    /// voice missing) is silent rather than fatal, and each such failure is `report`ed: these
    /// are prompts the box makes for itself, and a box that cannot say its hours must still
    /// answer. A file left from an earlier text is never played for the new one.
    package static func speakOrSilence(_ texts: [String: String], into directory: String, from source: String, voice: String = "cmn",
                                       report: (String) -> Void) -> PromptLibrary {
        let failed: [String]
        do { failed = try speakStale(texts, into: directory, voice: voice) } catch { failed = texts.keys.map { "\($0): \(error)" }.sorted() }
        failed.forEach { report("\(source): cannot speak prompt \($0); it is silent until it can be spoken") }
        var prompts: [String: PromptAudio] = [:]
        for (name, text) in texts { prompts[name] = spoken(name, text, in: directory) ?? PromptAudio(name: name, samples: []) }
        return PromptLibrary(prompts: prompts)
    }

    /// `name` as spoken into `directory` from exactly `text`, if it has been.
    package static func spoken(_ name: String, _ text: String, in directory: String) -> PromptAudio? {
        guard (try? String(contentsOfFile: "\(directory)/\(name).txt", encoding: .utf8)) == text,
              let samples = try? WAVFile.read("\(directory)/\(name).wav") else { return nil }
        return PromptAudio(name: name, samples: samples)
    }

    /// Speaks the prompts whose cached text differs; returns "name: reason" for each failure.
    /// A failed prompt loses its cached text, so a later start tries it again.
    private static func speakStale(_ texts: [String: String], into directory: String, voice: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stale = texts.filter { name, text in
            (try? String(contentsOfFile: "\(directory)/\(name).txt", encoding: .utf8)) != text
                || !FileManager.default.fileExists(atPath: "\(directory)/\(name).wav")
        }.sorted { $0.key < $1.key }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: stale.count) { i in
            let (name, text) = stale[i]
            do {
                try WAVFile.write(try Espeak.speak(text, voice: voice), to: "\(directory)/\(name).wav")
                try text.write(toFile: "\(directory)/\(name).txt", atomically: true, encoding: .utf8)
            } catch {
                try? FileManager.default.removeItem(atPath: "\(directory)/\(name).txt")
                failures.add("\(name): \(error)")
            }
        }
        return failures.all.sorted()
    }

    /// This library with `other`'s prompts added; a name in both keeps `other`'s.
    package func merging(_ other: PromptLibrary) -> PromptLibrary {
        PromptLibrary(prompts: prompts.merging(other.prompts) { _, theirs in theirs })
    }

    /// name → text, checked: every value a non-empty text, names usable as file names.
    package static func texts(_ source: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: source, encoding: .utf8) else {
            throw SourceError(file: source, line: 0, message: "cannot read the prompt texts")
        }
        let y = YAMLReader(file: source)
        var out: [String: String] = [:]
        if let root = y.root(text) {
            for (name, value, line) in y.pairs(root, what: "prompts") {
                guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                    y.fail(line, "prompt name \"\(name)\" may only hold letters, digits and _")
                    continue
                }
                if let t = y.string(value, name, in: "prompts", at: line) { out[name] = t }
            }
        }
        if let first = y.errors.first { throw first }
        return out
    }

    private final class Failures: @unchecked Sendable {
        // Unchecked: guarded by its lock.
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }
}
