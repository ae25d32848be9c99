import UplinkWire

/// Where a pull lands: a directory per box (`DirectoryTarget`) or the central office's
/// PostgreSQL system of record (`PostgresTarget`). The puller does the talking; a target keeps
/// what came, and says where each box's feed resumes.
package protocol PullTarget: Sendable {
    /// One box's place in the target, opened for a pull; `url` is how the box was reached.
    func open(node: String, url: String) async throws -> any BoxSink
}

/// One box's data in a target, during one pull. The puller calls it in this order per page:
/// media first (`holds`, then `keep` or `keepGone`), then `commit`, and acks the box only after
/// `commit` returns, so what the box may delete is durable here first.
package protocol BoxSink: Sendable {
    /// The last change this target holds; the feed is read after it.
    func cursor() async throws -> Int
    /// A directory for downloads in progress (`ID.part`, `ID.part.etag`), kept across runs so a
    /// cut download resumes.
    var staging: String { get }
    /// Whether medium `id` is already kept (or known gone), so it is not fetched again.
    func holds(media id: Int) async throws -> Bool
    /// Takes a whole, checked download out of `staging`: `file` is its path, `sha256` its hex
    /// digest, as the box's ETag named it.
    func keep(media id: Int, file: String, contentType: String, sha256: String, size: Int) async throws
    /// The box no longer has medium `id` (410 Gone: its retention ran out before it was pulled).
    func keepGone(media id: Int) async throws
    /// Stores a page of the feed and moves the cursor past it, durably and together.
    func commit(_ changes: [Change]) async throws
}
