import HotlineModel
import LineDriver

/// The central office's handling notes (处理意见) as callers asking after a case hear them:
/// spoken by espeak-ng when the note arrives, off the call path, into DATA_DIR/notes/NUMBER.wav
/// beside the text it was spoken from, so a call plays only audio that matches the note in force.
package struct HandlingNotes: Sendable {
    /// About a minute of Mandarin at the box's speaking rate: a caller on a query should hear a
    /// note, not a letter. A longer note is kept for the record, and not spoken.
    package static let maxSpokenCharacters = 200
    package let directory: String

    package init(dataDirectory: String) { directory = "\(dataDirectory)/notes" }

    /// Speaks `note` for `number`; an empty one has nothing to speak. Returns why callers will
    /// not hear it, if they will not.
    package func speak(_ note: String, for number: AcceptanceNumber, voice: String = "cmn") -> String? {
        guard !note.isEmpty else { return nil }
        guard note.count <= Self.maxSpokenCharacters else {
            return "the note is \(note.count) characters, over the \(Self.maxSpokenCharacters) a caller is read; callers hear the status alone"
        }
        var problem: String?
        _ = PromptLibrary.speakOrSilence([number.digits: note], into: directory, from: "case \(number.digits) note", voice: voice) { problem = $0 }
        return problem
    }

    /// The spoken note for `number`, if it was spoken from exactly `note`.
    package func audio(for number: AcceptanceNumber, note: String) -> PromptAudio? {
        PromptLibrary.spoken(number.digits, note, in: directory)
    }
}
