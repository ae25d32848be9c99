import CSpanDSP
import Foundation

/// What a fax session reports when it ends, successful or not.
public struct FaxResult: Sendable, Codable, Equatable {
    public var success: Bool
    /// SpanDSP's T.30 completion code (0 = OK); −1 when the session hit its time bound.
    public var completionCode: Int
    public var completionText: String
    public var pages: Int
    public var bitRate: Int
    public var ecmUsed: Bool
    public var remoteIdent: String?
    public var badRows: Int
    public var durationMs: Int

    /// `key=value` lines in a fixed order.
    public var keyValueLines: [String] {
        ["success=\(success ? "yes" : "no")",
         "completion_code=\(completionCode)",
         "completion=\(completionText)",
         "pages=\(pages)",
         "bit_rate=\(bitRate)",
         "ecm=\(ecmUsed ? "yes" : "no")",
         "remote_ident=\(remoteIdent ?? "")",
         "bad_rows=\(badRows)",
         "duration_ms=\(durationMs)"]
    }
}

/// What the terminal does with its TIFF file.
public enum FaxDocumentRole: Sendable, Equatable {
    /// Send the pages of this TIFF file.
    case send(tiff: String)
    /// Receive into this TIFF file.
    case receive(tiff: String)
}

public struct FaxSessionConfig: Sendable, Equatable {
    public var direction: FaxDocumentRole
    /// The calling terminal sends CNG; the answering one sends CED.
    public var callingParty: Bool
    public var ecm: Bool = true
    /// Highest modem speed offered: 14400 (V.17), 9600 (V.29) or 4800 (V.27ter).
    public var maxBitRate: Int = 14400
    /// Our station identifier (TSI/CSI), at most 20 characters.
    public var ident: String = ""
    /// Hard bound on the session, in line time. SpanDSP can wait forever on a noisy line.
    public var maxDurationSeconds: Int = 600

    public init(direction: FaxDocumentRole, callingParty: Bool, ecm: Bool = true, maxBitRate: Int = 14400,
                ident: String = "", maxDurationSeconds: Int = 600) {
        self.direction = direction
        self.callingParty = callingParty
        self.ecm = ecm
        self.maxBitRate = maxBitRate
        self.ident = ident
        self.maxDurationSeconds = maxDurationSeconds
    }
}

public enum FaxSessionError: Error, Equatable, CustomStringConvertible {
    case document(FaxDocumentError)
    case badIdent(String)
    case badBitRate(Int)
    case receiveDirectory(String)

    public var description: String {
        switch self {
        case .document(let e): e.description
        case .badIdent(let s): "fax ident \"\(s)\" is longer than 20 characters or not printable ASCII"
        case .badBitRate(let r): "fax bit rate \(r) is not one of 14400, 9600, 4800"
        case .receiveDirectory(let d): "cannot receive a fax into \(d): directory missing or not writable"
        }
    }
}

/// Owner of a SpanDSP `fax_state_t`: one T.30 fax session over audio, calling or answering,
/// sending or receiving TIFF-F, with a hard bound on its length.
public final class FaxTerminal {
    private let state: UnsafeMutablePointer<fax_state_t>
    private let t30: UnsafeMutablePointer<t30_state_t>
    private let limit: Int
    public private(set) var elapsedSamples = 0
    /// Set once, when the session ends.
    public private(set) var result: FaxResult?

    public init(_ config: FaxSessionConfig) throws(FaxSessionError) {
        _ = spanDSPTablesReady
        let modems: Int32
        switch config.maxBitRate {
        case 14400: modems = Int32(T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17)
        case 9600: modems = Int32(T30_SUPPORT_V27TER | T30_SUPPORT_V29)
        case 4800: modems = Int32(T30_SUPPORT_V27TER)
        default: throw .badBitRate(config.maxBitRate)
        }
        guard config.ident.count <= 20, config.ident.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0.isPunctuation || $0 == " " || $0 == "+") }) else {
            throw .badIdent(config.ident)
        }
        switch config.direction {
        case .send(let path):
            do { _ = try FaxDocument.read(path) } catch { throw .document(error) }
        case .receive(let path):
            let dir = (path as NSString).deletingLastPathComponent
            guard access(dir.isEmpty ? "." : dir, W_OK) == 0 else { throw .receiveDirectory(dir.isEmpty ? "." : dir) }
        }
        limit = config.maxDurationSeconds * SampleClock.rate
        state = fax_init(nil, config.callingParty ? 1 : 0)!
        t30 = fax_get_t30_state(state)!
        fax_set_transmit_on_idle(state, 1)
        t30_set_supported_modems(t30, modems)
        t30_set_ecm_capability(t30, config.ecm ? 1 : 0)
        if config.ecm { t30_set_supported_compressions(t30, Int32(T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION | T30_SUPPORT_T6_COMPRESSION)) }
        if !config.ident.isEmpty { t30_set_tx_ident(t30, config.ident) }
        switch config.direction {
        case .send(let path): t30_set_tx_file(t30, path, -1, -1)
        case .receive(let path): t30_set_rx_file(t30, path, -1)
        }
        t30_set_phase_e_handler(t30, { _, ud, code in
            Unmanaged<FaxTerminal>.fromOpaque(ud!).takeUnretainedValue().finished(code: Int(code))
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { fax_free(state) }

    public var isFinished: Bool { result != nil }

    /// One block of line time: `received` from the far end in, our audio out into `transmit`
    /// (same length). After the session ends, `transmit` is silence.
    public func process(received: UnsafeBufferPointer<Int16>, transmit: UnsafeMutableBufferPointer<Int16>) {
        guard result == nil else {
            transmit.update(repeating: 0)
            return
        }
        _ = fax_rx(state, UnsafeMutablePointer(mutating: received.baseAddress), Int32(received.count))
        let n = Int(fax_tx(state, transmit.baseAddress, Int32(transmit.count)))
        if n < transmit.count { transmit.baseAddress.map { ($0 + n).update(repeating: 0, count: transmit.count - n) } }
        elapsedSamples += received.count
        if result == nil && elapsedSamples >= limit {
            result = makeResult(code: -1, text: "no result after \(limit / SampleClock.rate) s of line time: session abandoned (noisy line or unresponsive far end)")
        }
    }

    /// Ends a session the line has gone away from (the far end hung up). SpanDSP's own
    /// `t30_terminate` judges it: a hang-up just after the last page was confirmed is a success;
    /// anything earlier is T30_ERR_CALLDROPPED. Either way the received file is closed.
    public func abandon(_ reason: String) {
        guard result == nil else { return }
        t30_terminate(t30)
        if result == nil { result = makeResult(code: -1, text: reason) }
    }

    private func finished(code: Int) {
        guard result == nil else { return }
        let text = String(cString: t30_completion_code_to_str(Int32(code)))
        result = makeResult(code: code, text: text)
    }

    private func makeResult(code: Int, text: String) -> FaxResult {
        var stats = t30_stats_t()
        t30_get_transfer_statistics(t30, &stats)
        let ident = t30_get_rx_ident(t30).map { String(cString: $0) }
        return FaxResult(success: code == Int(T30_ERR_OK), completionCode: code, completionText: text,
                         pages: Int(max(stats.pages_tx, stats.pages_rx)), bitRate: Int(stats.bit_rate),
                         ecmUsed: stats.error_correcting_mode != 0,
                         remoteIdent: ident?.isEmpty == false ? ident : nil,
                         badRows: Int(stats.bad_rows), durationMs: SampleClock.ms(elapsedSamples))
    }
}
