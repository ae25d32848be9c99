import Foundation

/// One request that changed something on the box: who sent it (their certificate), what it
/// asked and what came of it.
public struct AuditEntry: Sendable, Equatable {
    public var at: Date
    /// nil for plain HTTP on loopback (tests).
    public var peerFingerprint: String?
    public var peerSubject: String?
    public var action: String
    public var target: String
    public var result: String

    public init(at: Date, peerFingerprint: String?, peerSubject: String?, action: String, target: String, result: String) {
        self.at = at
        self.peerFingerprint = peerFingerprint
        self.peerSubject = peerSubject
        self.action = action
        self.target = target
        self.result = result
    }

    /// One line for the log and the console.
    public var line: String {
        "\(StoreTime.string(at)) \(peerSubject ?? "no certificate") (sha256 \(peerFingerprint ?? "-")): \(action) \(target) → \(result)"
    }
}

extension CaseStore {
    public func recordAudit(_ e: AuditEntry) throws(StoreError) {
        try run {
            try db.query("INSERT INTO audit (at, peer_fingerprint, peer_subject, action, target, result) VALUES (?, ?, ?, ?, ?, ?)",
                         [StoreTime.string(e.at), e.peerFingerprint, e.peerSubject, e.action, e.target, e.result])
        }
    }

    /// The last `limit` entries, oldest first.
    public func auditEntries(last limit: Int) throws(StoreError) -> [AuditEntry] {
        try read {
            try db.query("SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id", [limit]).map { r in
                AuditEntry(at: r.date("at") ?? Date(timeIntervalSince1970: 0), peerFingerprint: r.text("peer_fingerprint"), peerSubject: r.text("peer_subject"),
                           action: r.text("action") ?? "", target: r.text("target") ?? "", result: r.text("result") ?? "")
            }
        }
    }
}
