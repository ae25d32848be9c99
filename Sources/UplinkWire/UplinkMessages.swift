import HotlineModel

// The uplink's requests and replies (docs/uplink-openapi.yaml, one type per schema), shared by
// the box's server and the central office's client. JSON keys are the document's snake_case.

/// `GET /v1/health`.
package struct Health: Codable, Sendable, Equatable {
    /// `warning` when something needs a technician before it stops the box (see `warnings`).
    package enum State: String, Codable, Sendable { case ok, warning }

    /// The box's own uplink certificate: when the central office will stop accepting it.
    package struct CertificateState: Codable, Sendable, Equatable {
        package var subject: String
        package var notAfter: String
        package var daysLeft: Int

        enum CodingKeys: String, CodingKey {
            case subject
            case notAfter = "not_after", daysLeft = "days_left"
        }

        package init(subject: String, notAfter: String, daysLeft: Int) {
            self.subject = subject
            self.notAfter = notAfter
            self.daysLeft = daysLeft
        }
    }

    package var status: State
    /// The node prefix of this box's acceptance numbers.
    package var node: String
    /// The firmware running (`FirmwareVersion`).
    package var version: String
    package var startedAt: String
    package var uptimeSeconds: Int
    package var latestChange: Int
    package var ackedChange: Int
    package var pendingChanges: Int
    package var pendingMediaBytes: Int
    /// Null until the central office first pulls.
    package var lastPull: String?
    package var diskFreeBytes: Int
    package var lines: [String]
    package var content: ContentInForce
    /// Null on plain HTTP (tests).
    package var certificate: CertificateState?
    package var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case status, node, version, lines, content, certificate, warnings
        case startedAt = "started_at", uptimeSeconds = "uptime_s", latestChange = "latest_change", ackedChange = "acked_change"
        case pendingChanges = "pending_changes", pendingMediaBytes = "pending_media_bytes", lastPull = "last_pull", diskFreeBytes = "disk_free_bytes"
    }

    package init(status: State = .ok, node: String, version: String = FirmwareVersion.current, startedAt: String, uptimeSeconds: Int, latestChange: Int, ackedChange: Int, pendingChanges: Int,
                 pendingMediaBytes: Int, lastPull: String?, diskFreeBytes: Int, lines: [String], content: ContentInForce,
                 certificate: CertificateState? = nil, warnings: [String] = []) {
        self.status = status
        self.certificate = certificate
        self.warnings = warnings
        self.node = node
        self.version = version
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.latestChange = latestChange
        self.ackedChange = ackedChange
        self.pendingChanges = pendingChanges
        self.pendingMediaBytes = pendingMediaBytes
        self.lastPull = lastPull
        self.diskFreeBytes = diskFreeBytes
        self.lines = lines
        self.content = content
    }

    /// `last_pull` and `certificate` are always present, null when there is none (the document
    /// requires them).
    package func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(node, forKey: .node)
        try c.encode(version, forKey: .version)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try c.encode(latestChange, forKey: .latestChange)
        try c.encode(ackedChange, forKey: .ackedChange)
        try c.encode(pendingChanges, forKey: .pendingChanges)
        try c.encode(pendingMediaBytes, forKey: .pendingMediaBytes)
        try c.encode(lastPull, forKey: .lastPull)
        try c.encode(diskFreeBytes, forKey: .diskFreeBytes)
        try c.encode(lines, forKey: .lines)
        try c.encode(content, forKey: .content)
        try c.encode(certificate, forKey: .certificate)
        try c.encode(warnings, forKey: .warnings)
    }
}

/// The generation of each kind of content in force; "config" while nothing was pushed.
package struct ContentInForce: Codable, Sendable, Equatable {
    package var prompts: String
    package var flow: String
    package var documents: String
    package var calendar: String

    package init(prompts: String, flow: String, documents: String, calendar: String) {
        self.prompts = prompts
        self.flow = flow
        self.documents = documents
        self.calendar = calendar
    }
}

/// What both ends agree the protocol allows.
package enum UplinkLimits {
    /// The most changes one feed page holds (`limit`).
    package static let maxPage = 1000
    /// A firmware bundle (`PUT /v1/content/firmware`): larger than a root slot is no bundle of ours.
    package static let maxFirmwareBytes = 1 << 30
    /// One piece of it: what a 64 kbit/s line carries in about two minutes, so a dropped line
    /// costs at most that.
    package static let firmwarePieceBytes = 1 << 20
    /// The box takes pieces up to this size (a faster line may send larger ones).
    package static let maxFirmwarePieceBytes = 16 << 20
}

/// `GET /v1/changes`: a page of the change feed.
package struct ChangesPage: Codable, Sendable, Equatable {
    package var changes: [Change]
    /// The cursor to ask with next (the last seq of this page).
    package var next: Int
    package var latest: Int
    package var more: Bool

    package init(changes: [Change], next: Int, latest: Int, more: Bool) {
        self.changes = changes
        self.next = next
        self.latest = latest
        self.more = more
    }
}

/// One entry of the feed: what changed, when, and a snapshot of the entity then.
package struct Change: Codable, Sendable, Equatable {
    package enum Entity: String, Codable, Sendable, CaseIterable {
        case call, `case`, media
        case surveyAnswer = "survey_answer"
        case faxResult = "fax_result"
        /// A job of the box's outbound queue (a call-back): created, each attempt, done.
        case outboundJob = "outbound_job"
    }

    package enum Kind: String, Codable, Sendable, CaseIterable {
        case created, ended, status
        /// An outbound job's attempt started or ended.
        case attempt
        /// An outbound job finished (`outcome` in its data says how).
        case done
    }

    package var seq: Int
    package var entity: Entity
    package var id: Int
    package var change: Kind
    package var at: String
    /// The entity's snapshot: an object, or null when there is none.
    package var data: JSONValue

    package init(seq: Int, entity: Entity, id: Int, change: Kind, at: String, data: JSONValue) {
        self.seq = seq
        self.entity = entity
        self.id = id
        self.change = change
        self.at = at
        self.data = data
    }
}

/// `POST /v1/ack`: the client holds every change up to `seq`, durably.
package struct AckRequest: Codable, Sendable, Equatable {
    package var seq: Int
    package init(seq: Int) { self.seq = seq }
}

package struct AckReply: Codable, Sendable, Equatable {
    package var acked: Int
    package init(acked: Int) { self.acked = acked }
}

/// `PUT /v1/cases/{number}/status`.
package struct StatusUpdate: Codable, Sendable, Equatable {
    package var status: CaseStatus
    /// The central office's version of this case's status; only a newer one applies.
    package var version: Int
    package var note: String?

    package init(status: CaseStatus, version: Int, note: String? = nil) {
        self.status = status
        self.version = version
        self.note = note
    }

    enum CodingKeys: String, CodingKey { case status, version, note }

    /// A status word outside the list says which words there are.
    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let word = try c.decode(String.self, forKey: .status)
        guard let status = CaseStatus(rawValue: word) else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: c,
                                                   debugDescription: "must be one of \(CaseStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.status = status
        version = try c.decode(Int.self, forKey: .version)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }
}

package struct StatusReply: Codable, Sendable, Equatable {
    package enum Result: String, Codable, Sendable {
        case applied
        /// A repeated or older update: nothing changed; `version` is the one the box holds.
        case stale
    }

    package var `case`: String
    package var result: Result
    package var version: Int
    /// Why callers asking after the case will not hear its handling note, when they will not.
    package var noteWarning: String?

    package init(case number: String, result: Result, version: Int, noteWarning: String? = nil) {
        self.case = number
        self.result = result
        self.version = version
        self.noteWarning = noteWarning
    }

    enum CodingKeys: String, CodingKey {
        case `case`, result, version
        case noteWarning = "note_warning"
    }
}

/// `PUT /v1/cases/{number}/note` kept: callers asking after the case hear it from now on.
package struct NoteReply: Codable, Sendable, Equatable {
    package var `case`: String
    package var seconds: Double

    package init(case number: String, seconds: Double) {
        self.case = number
        self.seconds = seconds
    }
}

/// `PUT /v1/content/{kind}` accepted.
package struct PushReply: Codable, Sendable, Equatable {
    package var kind: String
    package var generation: String
    package var sha256: String

    package init(kind: String, generation: String, sha256: String) {
        self.kind = kind
        self.generation = generation
        self.sha256 = sha256
    }
}

/// Every refusal: what was wrong, and for a refused push every problem found; an ack past the
/// feed's end also says where the feed ends.
package struct ErrorReply: Codable, Sendable, Equatable {
    package var error: String
    package var problems: [String]?
    package var latest: Int?

    package init(error: String, problems: [String]? = nil, latest: Int? = nil) {
        self.error = error
        self.problems = problems
        self.latest = latest
    }
}
