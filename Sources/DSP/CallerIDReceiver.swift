import CSpanDSP

/// One caller-ID message exactly as it came off the line (checksum already verified by SpanDSP),
/// held inline so the frame thread can pass it on without allocating. `CallerIDReceiver.decode`
/// turns it into a `CallerID` elsewhere.
public struct CallerIDSpill: Sendable {
    public static let maxBytes = 256
    public let standard: CallerIDStandard
    public private(set) var count = 0
    private var bytes = InlineArray<256, UInt8>(repeating: 0)

    init(standard: CallerIDStandard, _ message: UnsafeBufferPointer<UInt8>) {
        self.standard = standard
        count = min(message.count, Self.maxBytes)
        for i in 0..<count { bytes[i] = message[i] }
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var copy = [UInt8](repeating: 0, count: count)
        for i in 0..<count { copy[i] = bytes[i] }
        return copy.withUnsafeBufferPointer(body)
    }
}

/// Owner of a SpanDSP `adsi_rx_state_t` for one standard. FSK reception is made sensitive down
/// to `cutoffDBm0` (SpanDSP ignores anything below −30 dBm0 unless told otherwise). Messages
/// with a bad checksum are dropped by SpanDSP; `decode` drops malformed ones.
public final class CallerIDReceiver {
    public let standard: CallerIDStandard
    private let state: UnsafeMutablePointer<adsi_rx_state_t>
    private let handler: (CallerIDSpill, Int) -> Void
    private var aligner = BlockAligner(blockSamples: 160)
    private var pieceEnd = 0

    public var clock: Int { aligner.clock }

    /// `handler(spill, sample)` is called, on the processing thread and without allocating,
    /// when a complete message has been received.
    public init(standard: CallerIDStandard, cutoffDBm0: Double = -45, onSpill handler: @escaping (CallerIDSpill, Int) -> Void) {
        self.standard = standard
        self.handler = handler
        state = adsi_rx_init(nil, standard.adsiStandard, nil, nil)!
        // Re-initialise in place now that `self` can be handed over as the callback's context.
        adsi_rx_init(state, standard.adsiStandard, { ud, msg, len in
            let me = Unmanaged<CallerIDReceiver>.fromOpaque(ud!).takeUnretainedValue()
            me.handler(CallerIDSpill(standard: me.standard, UnsafeBufferPointer(start: msg, count: Int(len))), me.pieceEnd)
        }, Unmanaged.passUnretained(self).toOpaque())
        if standard.isFSK { cspandsp_adsi_rx_set_signal_cutoff(state, Float(cutoffDBm0)) }
    }

    /// For offline use: decodes each message as it arrives (malformed ones are dropped).
    public convenience init(standard: CallerIDStandard, cutoffDBm0: Double = -45, handler: @escaping (CallerID, Int) -> Void) {
        self.init(standard: standard, cutoffDBm0: cutoffDBm0, onSpill: { spill, at in
            if let id = CallerIDReceiver.decode(spill) { handler(id, at) }
        })
    }

    deinit { adsi_rx_free(state) }

    public func process(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress else { return }
        aligner.forEachPiece(count: samples.count) { offset, length, end in
            pieceEnd = end
            _ = adsi_rx(state, base + offset, Int32(length))
        }
    }

    /// The caller ID in a spill, or nil when the message is malformed.
    public static func decode(_ spill: CallerIDSpill) -> CallerID? {
        let fields: [(type: UInt8, body: [UInt8])] = spill.withBytes { Self.fields(of: $0, standard: spill.standard) }
        return spill.standard == .dtmf ? decodeDTMF(fields) : decodeFSK(fields, standard: spill.standard)
    }

    private static func fields(of message: UnsafeBufferPointer<UInt8>, standard: CallerIDStandard) -> [(type: UInt8, body: [UInt8])] {
        // adsi_next_field only reads the state's standard.
        guard let parser = adsi_rx_init(nil, standard.adsiStandard, nil, nil) else { return [] }
        defer { adsi_rx_free(parser) }
        var out: [(UInt8, [UInt8])] = []
        var pos: Int32 = 0
        var type: UInt8 = 0
        var body: UnsafePointer<UInt8>?
        var length: Int32 = 0
        while true {
            pos = adsi_next_field(parser, message.baseAddress, Int32(message.count), pos, &type, &body, &length)
            if pos <= 0 { break }
            let bytes = (body != nil && length > 0) ? Array(UnsafeBufferPointer(start: body, count: Int(length))) : []
            out.append((type, bytes))
        }
        return pos == -2 ? [] : out
    }

    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.map { $0 & 0x7F }, as: UTF8.self)
    }

    /// First entry is the message type; the rest are parameters (SDMF: one body of type 0).
    static func decodeFSK(_ fields: [(type: UInt8, body: [UInt8])], standard: CallerIDStandard) -> CallerID? {
        guard let kind = fields.first?.type else { return nil }
        var id = CallerID(standard: standard)
        if kind == CallerIDMessageType.sdmf, standard == .bell202 {
            guard fields.count == 2 else { return nil }
            let body = text(fields[1].body)
            guard body.count >= 8, let stamp = CallerIDDateTime(String(body.prefix(8))) else { return nil }
            id.format = .sdmf
            id.dateTime = stamp
            let number = String(body.dropFirst(8))
            if let absence = CallerIDAbsence(fskCode: number) { id.numberAbsence = absence } else { id.number = number }
            return id
        }
        guard kind & 0x80 != 0 else { return nil }
        id.format = standard == .bell202 ? .mdmf : nil
        for field in fields.dropFirst() {
            let value = text(field.body)
            switch CallerIDField(rawValue: field.type) {
            case .dateTime: id.dateTime = CallerIDDateTime(value)
            case .number: id.number = value
            case .numberAbsence: id.numberAbsence = CallerIDAbsence(fskCode: value) ?? .unavailable
            case .name: id.name = value
            case .nameAbsence: id.nameAbsence = CallerIDAbsence(fskCode: value) ?? .unavailable
            case nil: continue
            }
        }
        return id
    }

    /// ETSI EN 300 659-1 Annex B: `A<number>C`, `B00C`/`B10C` for an absent number; the
    /// `#`-terminated variant uses `D` for absence.
    static func decodeDTMF(_ fields: [(type: UInt8, body: [UInt8])]) -> CallerID? {
        guard let terminator = fields.first?.type else { return nil }
        var id = CallerID(standard: .dtmf)
        for field in fields.dropFirst() {
            let digits = text(field.body)
            switch (field.type, terminator) {
            case (UInt8(ascii: "A"), _), (0, _):
                id.number = digits
            case (UInt8(ascii: "B"), UInt8(ascii: "C")), (UInt8(ascii: "D"), UInt8(ascii: "#")):
                id.numberAbsence = digits == "10" || digits == "01" ? .private : .unavailable
            default:
                continue
            }
        }
        return id.number == nil && id.numberAbsence == nil ? nil : id
    }
}
