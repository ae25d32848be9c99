import DSP
import Foundation
import HotlineModel
import LineDriver
import SystemSupport

/// The central office's handling notes (处理意见) as callers asking after a case hear them.
/// A note comes as text, spoken by espeak-ng when it arrives (off the call path) into
/// DATA_DIR/notes/NUMBER.wav beside the text it was spoken from, so a call plays only audio that
/// matches the note in force; or as a recording (NUMBER.recorded.wav), which is heard instead
/// until a newer text note (or "" to clear) replaces it.
package struct HandlingNotes: Sendable {
    /// About a minute of Mandarin at the box's speaking rate: a caller on a query should hear a
    /// note, not a letter. A longer note is kept for the record, and not spoken.
    package static let maxSpokenCharacters = 200
    /// A recorded note: a minute, as a spoken one.
    package static let maxRecordedSeconds = 60
    /// Room for a minute of 8 kHz 16-bit mono (960 000 bytes) and any header; what is longer
    /// is read and refused by its length, what is larger is not read at all.
    package static let maxRecordedBytes = 1 << 20
    package let directory: String

    package init(dataDirectory: String) { directory = "\(dataDirectory)/notes" }

    private func recordedPath(_ number: AcceptanceNumber) -> String { "\(directory)/\(number.digits).recorded.wav" }

    /// Speaks `note` for `number` (an empty one has nothing to speak); a recorded note is
    /// replaced by any newer text. Returns why callers will not hear it, if they will not.
    package func speak(_ note: String, for number: AcceptanceNumber, voice: String = "cmn") -> String? {
        try? FileManager.default.removeItem(atPath: recordedPath(number))
        guard !note.isEmpty else { return nil }
        guard note.count <= Self.maxSpokenCharacters else {
            return "the note is \(note.count) characters, over the \(Self.maxSpokenCharacters) a caller is read; callers hear the status alone"
        }
        var problem: String?
        _ = PromptLibrary.speakOrSilence([number.digits: note], into: directory, from: "case \(number.digits) note", voice: voice) { problem = $0 }
        return problem
    }

    /// Keeps a recorded note for `number` (a WAV as prompts are: 8 kHz mono 16-bit, at most a
    /// minute), durably, in place of any earlier one. Returns its length in seconds.
    package func record(_ wav: Data, for number: AcceptanceNumber) throws -> Double {
        let samples = try WAVFile.decode(wav, path: "the note")
        guard !samples.isEmpty else { throw Refused(reason: "the note is empty") }
        guard samples.count <= Self.maxRecordedSeconds * SampleClock.rate else {
            throw Refused(reason: "the note is \(samples.count / SampleClock.rate) s long; at most \(Self.maxRecordedSeconds) s")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try DurableFile.write(wav, to: recordedPath(number))
        return Double(samples.count) / Double(SampleClock.rate)
    }

    package struct Refused: Error, CustomStringConvertible {
        package var reason: String
        package var description: String { reason }
    }

    /// Whether `number` has a recorded note.
    package func hasRecording(_ number: AcceptanceNumber) -> Bool { FileManager.default.fileExists(atPath: recordedPath(number)) }

    /// The note callers hear for `number`: its recording, or the text `note` as spoken from
    /// exactly those words.
    package func audio(for number: AcceptanceNumber, note: String?) -> PromptAudio? {
        if let samples = try? WAVFile.read(recordedPath(number)) { return PromptAudio(name: "note", samples: samples) }
        return note.flatMap { PromptLibrary.spoken(number.digits, $0, in: directory) }
    }
}
