import CSpanDSP

/// How DTMF is sent: level per tone, twist (high group minus low group, dB) and timing.
public struct DTMFSendingParameters: Sendable, Equatable, Codable {
    public var levelDBm0: Int = -10
    public var twistDB: Int = 0
    public var onMs: Int = 100
    public var offMs: Int = 100

    public init(levelDBm0: Int = -10, twistDB: Int = 0, onMs: Int = 100, offMs: Int = 100) {
        self.levelDBm0 = levelDBm0
        self.twistDB = twistDB
        self.onMs = onMs
        self.offMs = offMs
    }
}

public enum DTMFGeneratorError: Error, Equatable, CustomStringConvertible {
    case invalidDigit(Character)
    case queueFull(accepted: Int)

    public var description: String {
        switch self {
        case .invalidDigit(let c): "\"\(c)\" is not a DTMF digit (0-9, *, #, A-D)"
        case .queueFull(let n): "DTMF queue full: only \(n) digits were queued"
        }
    }
}

/// Owner of a SpanDSP `dtmf_tx_state_t`.
public final class DTMFGenerator {
    private let state: UnsafeMutablePointer<dtmf_tx_state_t>
    public static let validDigits = Set("0123456789*#ABCD")

    public init(_ parameters: DTMFSendingParameters = .init()) {
        _ = spanDSPTablesReady
        state = dtmf_tx_init(nil)!
        // SpanDSP's level is that of the low-group tone; twist raises the high group.
        dtmf_tx_set_level(state, Int32(parameters.levelDBm0), Int32(parameters.twistDB))
        dtmf_tx_set_timing(state, Int32(parameters.onMs), Int32(parameters.offMs))
    }

    deinit { dtmf_tx_free(state) }

    /// Queues digits; they are played by `generate`.
    public func send(_ digits: String) throws(DTMFGeneratorError) {
        if let bad = digits.first(where: { !Self.validDigits.contains($0) }) {
            throw .invalidDigit(bad)
        }
        let notQueued = digits.withCString { dtmf_tx_put(state, $0, -1) }
        if notQueued != 0 { throw .queueFull(accepted: digits.count - Int(notQueued)) }
    }

    /// Queues ASCII digits from a caller-owned buffer without allocating (for the frame thread);
    /// returns how many did not fit. The caller has checked the digits.
    @discardableResult
    public func queue(ascii digits: UnsafeBufferPointer<CChar>) -> Int {
        Int(dtmf_tx_put(state, digits.baseAddress, Int32(digits.count)))
    }

    /// Fills `buffer` with tone and inter-digit silence; returns the samples written (less than
    /// the buffer when the queue ran dry, the rest untouched).
    @discardableResult
    public func generate(into buffer: UnsafeMutableBufferPointer<Int16>) -> Int {
        Int(dtmf_tx(state, buffer.baseAddress, Int32(buffer.count)))
    }
}
