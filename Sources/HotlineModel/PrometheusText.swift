/// Prometheus's text exposition format, in which the box (its uplink's `/metrics` and its
/// node-exporter textfile) and the central office's puller write their figures.
public struct PrometheusText: Sendable {
    public enum Kind: String, Sendable { case gauge, counter }

    public private(set) var text = ""

    public init() {}

    /// One metric: its HELP and TYPE lines, then a sample per label set. Samples that are not
    /// finite are left out (the format has no place for "unknown").
    public mutating func add(_ name: String, _ kind: Kind, help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
        add(name, kind, help: help, rendered: samples.filter { $0.value.isFinite }.map { ($0.labels, "\($0.value)") })
    }

    /// One metric of whole numbers (counts, bytes, states).
    public mutating func add(_ name: String, _ kind: Kind, help: String, _ samples: [(labels: [(String, String)], value: Int)]) {
        add(name, kind, help: help, rendered: samples.map { ($0.labels, String($0.value)) })
    }

    /// One metric with one unlabelled sample.
    public mutating func add(_ name: String, _ kind: Kind, help: String, _ value: Int) {
        add(name, kind, help: help, [(labels: [], value: value)])
    }

    public mutating func add(_ name: String, _ kind: Kind, help: String, _ value: Double) {
        add(name, kind, help: help, [(labels: [], value: value)])
    }

    private mutating func add(_ name: String, _ kind: Kind, help: String, rendered: [([(String, String)], String)]) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
        for (labels, value) in rendered {
            let set = labels.map { "\($0.0)=\"\(Self.label($0.1))\"" }.joined(separator: ",")
            text += name + (set.isEmpty ? "" : "{\(set)}") + " \(value)\n"
        }
    }

    /// A label value as the format allows it: backslash, quote and newline escaped.
    public static func label(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
