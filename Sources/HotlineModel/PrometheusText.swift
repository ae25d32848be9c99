/// Prometheus's text exposition format, in which the box (its uplink's `/metrics` and its
/// node-exporter textfile) and the central office's puller write their figures.
public struct PrometheusText: Sendable {
    public enum Kind: String, Sendable { case gauge, counter }

    public private(set) var text = ""

    public init() {}

    /// One metric: its HELP and TYPE lines, then a sample per label set. Samples that are not
    /// finite are left out (the format has no place for "unknown").
    public mutating func add(_ name: String, _ kind: Kind, help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
        for sample in samples where sample.value.isFinite {
            let labels = sample.labels.map { "\($0.0)=\"\(Self.label($0.1))\"" }.joined(separator: ",")
            text += name + (labels.isEmpty ? "" : "{\(labels)}") + " \(Self.number(sample.value))\n"
        }
    }

    /// One metric with one unlabelled sample.
    public mutating func add(_ name: String, _ kind: Kind, help: String, _ value: Double) {
        add(name, kind, help: help, [(labels: [], value: value)])
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

    /// Whole numbers without a fraction, as counters read.
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }
}
