import Foundation
import Logging

/// Where a log line goes and in which form: to journald through the service's standard output,
/// or to a terminal or file. Under systemd, `JOURNAL_STREAM` names the device and inode of the
/// stream journald reads; when standard output is that stream, lines carry a `<N>` priority
/// prefix (sd-daemon(3)) and no time stamp, since journald stamps each entry itself.
public enum LogForm: Sendable, Equatable {
    case journal
    case plain

    /// The form for standard output in this process's environment.
    public static func forStandardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> LogForm {
        guard let stream = environment["JOURNAL_STREAM"] else { return .plain }
        let parts = stream.split(separator: ":")
        var st = stat()
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]), fstat(STDOUT_FILENO, &st) == 0 else { return .plain }
        return UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode ? .journal : .plain
    }
}

/// What a log line is about, for the fields journald and grep find it by: the line, the call
/// (its CDR id) and the case, and how serious it is.
public struct LogFields: Sendable, Equatable {
    /// How serious a line is; the box's code names these, not swift-log's levels.
    public enum Severity: Sendable, Equatable {
        case info, warning, error

        public var level: Logger.Level {
            switch self {
            case .info: .info
            case .warning: .warning
            case .error: .error
            }
        }
    }

    public var severity: Severity
    public var line: Int?
    public var call: Int?
    public var caseNumber: String?

    public init(_ severity: Severity = .info, line: Int? = nil, call: Int? = nil, caseNumber: String? = nil) {
        self.severity = severity
        self.line = line
        self.call = call
        self.caseNumber = caseNumber
    }

    /// A plain line's fields: the box's warnings say so in their first word.
    public static func of(_ line: String) -> LogFields { LogFields(line.hasPrefix("warning: ") ? .warning : .info) }

    public var metadata: Logger.Metadata {
        var m: Logger.Metadata = [:]
        if let line { m["line"] = "\(line)" }
        if let call { m["call"] = "\(call)" }
        if let caseNumber { m["case"] = "\(caseNumber)" }
        return m
    }
}

/// One log line as text: the message, then its metadata as `key=value` in key order (values
/// with spaces quoted), so `line`, `call` and `case` read the same in every line and a
/// technician can grep for `case=10000012`.
public enum LogLine {
    public static func text(_ message: String, metadata: Logger.Metadata, level: Logger.Level, form: LogForm, at date: Date) -> String {
        let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(quoted("\($0.value)"))" }.joined(separator: " ")
        let body = fields.isEmpty ? message : "\(message) \(fields)"
        switch form {
        case .journal:
            // Every line of a message is an entry of its own to journald: each gets the prefix.
            return body.split(separator: "\n", omittingEmptySubsequences: false).map { "<\(priority(level))>\($0)" }.joined(separator: "\n")
        case .plain:
            return "\(stamp.format(date)) \(body)"
        }
    }

    /// syslog(3) priorities, as journald reads them.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    private static let stamp = Date.ISO8601FormatStyle(includingFractionalSeconds: false)

    private static func quoted(_ value: String) -> String {
        value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" })
            ? "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
            : value
    }
}

/// The one way log lines leave a process: every `Logger` (the box's own and its libraries')
/// writes through this handler to standard output, one write per line, unbuffered, so the log
/// survives a kill -9. `tee` sees each line in plain form (the console's `log` command).
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let form: LogForm
    private let tee: @Sendable (String) -> Void

    public init(form: LogForm = .forStandardOutput(), tee: @escaping @Sendable (String) -> Void = { _ in }) {
        self.form = form
        self.tee = tee
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata.merging(event.metadata ?? [:]) { $1 }
        if let error = event.error { fields["error"] = "\(error)" }
        let now = Date()
        let text = LogLine.text("\(event.message)", metadata: fields, level: event.level, form: form, at: now)
        let line = Data((text + "\n").utf8)
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
            }
        }
        tee(form == .plain ? text : LogLine.text("\(event.message)", metadata: fields, level: event.level, form: .plain, at: now))
    }
}
