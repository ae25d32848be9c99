/// Which way a fax went on a call, as the fax result record keeps it.
public enum FaxDirection: String, Sendable, Codable, CaseIterable {
    case receive
    case send
}

/// Which way a call went: a caller rang the box, or the box dialled out.
public enum CallDirection: String, Sendable, Codable, CaseIterable {
    case inbound
    case outbound
}
