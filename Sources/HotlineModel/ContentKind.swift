/// What the central office can replace on a running box (`PUT /v1/content/KIND`).
public enum ContentKind: String, CaseIterable, Sendable {
    /// A prompt pack: NAME.wav files, 8 kHz mono 16-bit.
    case prompts
    /// The flow file (its surveys included).
    case flow
    /// Consultation documents faxed back: NAME.txt (rendered with Unifont) or NAME.tif.
    case documents
    /// The service calendar: the config's `calendar:` section as a document of its own.
    case calendar
}
