import IVR
import Yams

/// The outbound queue's settings (`outbound:`): how often and how long a job is tried, how long
/// a number may ring, and how many lines stay free for callers. The calling window is the
/// calendar's `callbacks` service.
package struct OutboundSettings: Sendable, Equatable {
    package var attempts = 3
    package var retryAfterSeconds = 600
    /// A job not through by then ends as expired.
    package var expiresAfterSeconds = 3 * 86_400
    package var noAnswerMs = 40_000
    /// Lines outbound never takes: the last free ones stay for callers.
    package var keepFreeLines = 1
    /// No job is dialled this soon after a caller's ring on any line: while callers are
    /// arriving, a call-back would hold the line the next one needs.
    package var quietAfterRingMs = 60_000
    /// The call-back's flow; nil: callback.yaml beside the config's inbound flow.
    package var callbackFlowFile: String?

    package init() {}

    package static let attemptRange = 1...10
    package static let retryRangeSeconds = 60...86_400
    package static let expiryRangeSeconds = 600...(30 * 86_400)

    mutating func parse(_ value: Node, _ y: YAMLReader, path: (String) -> String) {
        let s = "outbound"
        for (k, v, l) in y.pairs(value, what: s) {
            switch k {
            case "attempts": attempts = y.int(v, k, in: s, range: Self.attemptRange) ?? attempts
            case "retry_after":
                retryAfterSeconds = (y.duration(v, k, in: s, range: Self.retryRangeSeconds.lowerBound * 1000...Self.retryRangeSeconds.upperBound * 1000)
                    ?? retryAfterSeconds * 1000) / 1000
            case "expires_after":
                expiresAfterSeconds = (y.duration(v, k, in: s, range: Self.expiryRangeSeconds.lowerBound * 1000...Self.expiryRangeSeconds.upperBound * 1000)
                    ?? expiresAfterSeconds * 1000) / 1000
            case "no_answer": noAnswerMs = y.duration(v, k, in: s, range: 10_000...120_000) ?? noAnswerMs
            case "keep_free_lines": keepFreeLines = y.int(v, k, in: s, range: 0...119) ?? keepFreeLines
            case "quiet_after_ring": quietAfterRingMs = y.duration(v, k, in: s, range: 0...600_000) ?? quietAfterRingMs
            case "callback_flow": if let f = y.string(v, k, in: s, at: l) { callbackFlowFile = path(f) }
            default: y.fail(l, "\(s): unknown key \"\(k)\"")
            }
        }
    }
}
