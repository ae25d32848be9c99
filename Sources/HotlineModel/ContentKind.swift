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

/// What the central office pushes to a box: content, put in force whole, or a firmware bundle,
/// sent a piece at a time and installed by RAUC into the other root slot.
public enum PushKind: Hashable, Sendable, CaseIterable {
    case content(ContentKind)
    case firmware

    public static var allCases: [PushKind] { ContentKind.allCases.map(PushKind.content) + [.firmware] }

    public init?(name: String) {
        if let kind = ContentKind(rawValue: name) { self = .content(kind) } else if name == "firmware" { self = .firmware } else { return nil }
    }

    /// The kind's name on the wire (`/v1/content/NAME`) and on the command line.
    public var name: String {
        switch self {
        case .content(let kind): kind.rawValue
        case .firmware: "firmware"
        }
    }
}
