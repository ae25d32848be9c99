import Foundation
import HotlineModel

public struct CaseRecord: Sendable, Equatable, Codable {
    public var id: Int
    public var number: AcceptanceNumber
    public var kind: CaseKind
    public var status: CaseStatus
    public var statusVersion: Int
    public var callID: Int?
    public var callerNumber: String?
    /// False when the caller hung up before finishing (the recording is kept all the same).
    public var complete: Bool
    public var createdAt: Date
}

/// A case as a caller asking after it hears it.
public struct CallerStatus: Sendable, Equatable {
    public var status: CaseStatus
    /// The central office's handling note (处理意见), if it gave one.
    public var note: String?

    public init(status: CaseStatus, note: String?) {
        self.status = status
        self.note = note
    }
}

public struct MediaRecord: Sendable, Equatable, Codable {
    public var id: Int
    public var caseID: Int?
    public var callID: Int?
    public var kind: MediaKind
    public var path: String
    public var durationMs: Int?
    public var pages: Int?
    public var size: Int
    public var sha256: String
    public var complete: Bool
}

/// A file to attach to a case or call; size and digest are computed when it is stored.
public struct NewMedia: Sendable {
    public var kind: MediaKind
    public var path: String
    public var durationMs: Int?
    public var pages: Int?
    public var complete: Bool

    public init(kind: MediaKind, path: String, durationMs: Int? = nil, pages: Int? = nil, complete: Bool = true) {
        self.kind = kind
        self.path = path
        self.durationMs = durationMs
        self.pages = pages
        self.complete = complete
    }
}

/// Who called, as the CDR keeps it.
public struct CallerInfo: Sendable, Equatable {
    public var number: String?
    public var name: String?
    public var absence: String?
    public var standard: String?

    public init(number: String? = nil, name: String? = nil, absence: String? = nil, standard: String? = nil) {
        self.number = number
        self.name = name
        self.absence = absence
        self.standard = standard
    }
}

public struct CallRecordRow: Sendable, Equatable, Codable {
    public var id: Int
    public var uid: String
    public var line: Int
    public var direction: String
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    public var callerNumber: String?
    public var disconnectReason: String?
    public var disposition: String?
    public var ivrPath: String
    public var digits: String
    /// How far the wall clock jumped during the call (ms), if it did.
    public var clockJumpMs: Int?
}
