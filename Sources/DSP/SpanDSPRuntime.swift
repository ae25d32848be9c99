import CSpanDSP

/// SpanDSP fills some static tables on first use of `dtmf_rx_init`/`dtmf_tx_init`; that must
/// happen once, before several line threads can race on it. Every owner touches this first.
let spanDSPTablesReady: Void = {
    if let rx = dtmf_rx_init(nil, nil, nil) { dtmf_rx_free(rx) }
    if let tx = dtmf_tx_init(nil) { dtmf_tx_free(tx) }
    cspandsp_tiff_silence()
}()

/// Splits a stream into pieces that end on a detector's block boundaries, so that a callback
/// fired inside the C detector can be stamped with the sample at which its block ended.
/// The aligner is being mutated while `body` runs: callbacks must not read it.
struct BlockAligner {
    let blockSamples: Int
    private(set) var clock = 0
    private var phase = 0

    init(blockSamples: Int) { self.blockSamples = blockSamples }

    /// Feeds `count` samples in block-aligned pieces; `body(offset, length, endSample)`.
    @inline(__always)
    mutating func forEachPiece(count: Int, _ body: (Int, Int, Int) -> Void) {
        var offset = 0
        while offset < count {
            let length = min(blockSamples - phase, count - offset)
            body(offset, length, clock + length)
            clock += length
            phase = (phase + length) % blockSamples
            offset += length
        }
    }
}
