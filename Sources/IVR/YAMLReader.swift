import HotlineModel
import SystemSupport
import Yams

/// Reads a YAML document while keeping each value's line, collecting every problem rather than
/// stopping at the first, so one load reports all of them.
package final class YAMLReader {
    package let file: String
    package private(set) var errors: [SourceError] = []

    package init(file: String) { self.file = file }

    /// The document's root mapping, or nil (with an error) when the text is not YAML at all.
    package func root(_ text: String) -> Node? {
        if let found = YAMLAliasGuard.firstAnchorOrAlias(in: text) {
            fail(found.line, "YAML anchors and aliases (\(found.token)) are not accepted: write the value out")
            return nil
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                fail(1, "the file is empty")
                return nil
            }
            return node
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            fail(context.mark.line, "duplicate key \(keys) in the mapping that starts here")
        } catch let error as YamlError {
            fail(Self.line(of: error), "not valid YAML: \(error)")
        } catch {
            fail(1, "not valid YAML: \(error)")
        }
        return nil
    }

    package func fail(_ line: Int, _ message: String) { errors.append(SourceError(file: file, line: line, message: message)) }
    package func fail(_ node: Node?, _ message: String) { fail(line(node), message) }
    package func line(_ node: Node?) -> Int { node?.mark?.line ?? 1 }

    /// The pairs of a mapping as (key, value, line), reporting duplicated and non-string keys.
    package func pairs(_ node: Node?, what: String) -> [(key: String, value: Node, line: Int)] {
        guard let node else { return [] }
        guard let mapping = node.mapping else {
            fail(node, "\(what) must be a mapping of names to values")
            return []
        }
        var seen: [String: Int] = [:]
        var out: [(String, Node, Int)] = []
        for (k, v) in mapping {
            guard let key = k.string else { fail(k, "\(what): keys must be plain text"); continue }
            if let first = seen[key] {
                fail(k, "\(what): duplicate key \"\(key)\" (first at line \(first))")
                continue
            }
            seen[key] = line(k)
            out.append((key, v, line(k)))
        }
        return out
    }

    package func string(_ node: Node?, _ field: String, in owner: String, at ownerLine: Int, required: Bool = true) -> String? {
        guard let node else {
            if required { fail(ownerLine, "\(owner): missing \"\(field)\"") }
            return nil
        }
        guard let s = node.string, node.scalar != nil, !s.isEmpty else {
            fail(node, "\(owner): \"\(field)\" must be a non-empty text value")
            return nil
        }
        return s
    }

    package func int(_ node: Node?, _ field: String, in owner: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard let s = node.string, let v = Int(s), range.contains(v) else {
            fail(node, "\(owner): \"\(field)\" must be a whole number in \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return v
    }

    /// true/yes/on or false/no/off.
    package func bool(_ node: Node?, _ field: String, in owner: String) -> Bool? {
        guard let node else { return nil }
        switch node.string {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(node, "\(owner): \"\(field)\" must be true or false")
            return nil
        }
    }

    /// Durations written as 500ms, 5s, 3m (or a plain number of seconds).
    package func duration(_ node: Node?, _ field: String, in owner: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard let text = node.string, let ms = Self.milliseconds(text), range.contains(ms) else {
            fail(node, "\(owner): \"\(field)\" must be a duration like 500ms, 5s or 3m, from \(range.lowerBound) ms to \(range.upperBound) ms")
            return nil
        }
        return ms
    }

    package static func milliseconds(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        for (suffix, scale) in [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)] where t.hasSuffix(suffix) {
            return Double(t.dropLast(suffix.count)).flatMap { Int(checking: $0 * Double(scale)) }
        }
        return Double(t).flatMap { Int(checking: $0 * 1000) }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: 1
        }
    }
}
