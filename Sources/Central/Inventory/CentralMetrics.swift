import Foundation
import HotlineModel

/// The puller's figures in Prometheus's text format, for node-exporter's textfile collector:
/// the pull service runs from a timer and exits, so it leaves its figures in a file rather
/// than serving them.
package enum CentralMetrics {
    package static func text(_ boxes: [BoxInventory.Health]) -> String {
        var out = "# HELP hotline_central_build_info The hotline-central that wrote these figures.\n# TYPE hotline_central_build_info gauge\n"
        out += "hotline_central_build_info{version=\"\(label(FirmwareVersion.current))\"} 1\n"
        let enrolled = boxes.filter { !$0.retired }
        out += "# HELP hotline_central_boxes Boxes in the inventory, by state.\n# TYPE hotline_central_boxes gauge\n"
        out += "hotline_central_boxes{state=\"enrolled\"} \(enrolled.count)\nhotline_central_boxes{state=\"retired\"} \(boxes.count - enrolled.count)\n"
        let series: [(String, String, (BoxInventory.Health) -> Double?)] = [
            ("hotline_central_box_last_pull_timestamp_seconds", "When the box was last pulled in full (Unix time).", { $0.lastPull?.timeIntervalSince1970 }),
            ("hotline_central_box_last_attempt_failed", "1 if the box's last pull failed (box list says why).", { b in b.lastAttempt == nil ? nil : (b.lastError == nil ? 0 : 1) }),
            ("hotline_central_box_lag_changes", "Changes the box still held unpulled when its last pull ended.", { $0.lagChanges.map(Double.init) }),
            ("hotline_central_box_lag_bytes", "Media bytes the box still held unpulled when its last pull ended.", { $0.lagBytes.map(Double.init) }),
            ("hotline_central_box_pull_seconds", "How long the box's last pull took.", { $0.pullSeconds }),
            ("hotline_central_box_certificate_expiry_timestamp_seconds", "When the box's enrolled certificate expires (Unix time).", { $0.certificateNotAfter?.timeIntervalSince1970 }),
        ]
        for (name, help, value) in series {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for box in enrolled {
                guard let v = value(box), v.isFinite else { continue }
                out += "\(name){node=\"\(label(box.node))\",district=\"\(label(box.district ?? ""))\"} \(v)\n"
            }
        }
        return out
    }

    /// A label value as the text format allows it: backslash, quote and newline escaped.
    static func label(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
