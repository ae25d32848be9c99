/// Finds YAML anchors and aliases (`&name`, `*name`) before a document is composed. The box's
/// files (config, flows, prompt texts) never need them, and an alias used as a mapping key makes
/// composing exponential: a few hundred bytes ("billion laughs") would hold a core, and the push
/// lock, for good. So they are refused at their line, before Yams sees the text.
///
/// The scan is lexical: an anchor or alias counts only where a YAML node can start (after
/// indentation, `key: `, `- `, `? `, or `[`, `{`, `,` in flow style), outside quotes, comments
/// and block scalars, so `"*"` as a menu key or "Tom & Jerry" in a text is not one.
package enum YAMLAliasGuard {
    /// The first line holding an anchor or alias, with its token, or nil.
    package static func firstAnchorOrAlias(in text: String) -> (line: Int, token: String)? {
        var blockParentIndent: Int?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Array(raw)
            let indent = line.prefix { $0 == " " }.count
            if let parent = blockParentIndent {
                if line.allSatisfy({ $0 == " " || $0 == "\r" }) || indent > parent { continue }
                blockParentIndent = nil
            }
            if let token = scan(line) { return (index + 1, token) }
            if opensBlockScalar(line) { blockParentIndent = indent }
        }
        return nil
    }

    /// The anchor or alias token on one line, if any.
    private static func scan(_ line: [Character]) -> String? {
        let ends: Set<Character> = [" ", "\t", ",", "]", "}"]
        var nodeStart = true
        var quote: Character?
        var i = 0
        while i < line.count {
            let c = line[i]
            defer { i += 1 }
            if let q = quote {
                if c == q { quote = nil }
                continue
            }
            if c == " " || c == "\t" { continue }
            if c == "#" && (i == 0 || line[i - 1] == " " || line[i - 1] == "\t") { return nil }
            if nodeStart && (c == "&" || c == "*"), i + 1 < line.count, !ends.contains(line[i + 1]) {
                return String(line[i...].prefix { !ends.contains($0) })
            }
            if nodeStart && (c == "\"" || c == "'") {
                quote = c
                nodeStart = false
                continue
            }
            let blankAfter = i + 1 == line.count || line[i + 1] == " " || line[i + 1] == "\t"
            switch c {
            case "[", "{", ",": nodeStart = true
            case "-", "?", ":": nodeStart = blankAfter
            default: nodeStart = false
            }
        }
        return nil
    }

    /// A line whose value is a block scalar (`key: |`, `- >-`): the lines indented below it are
    /// text, not nodes.
    private static func opensBlockScalar(_ line: [Character]) -> Bool {
        let text = String(line).trimmingCharacters(in: .whitespaces)
        guard let last = text.split(separator: " ").last else { return false }
        return (last.first == "|" || last.first == ">") && last.dropFirst().allSatisfy { "+-0123456789".contains($0) }
            && (text.count == last.count || text.dropLast(last.count).hasSuffix(": ") || text.dropLast(last.count).hasSuffix("- "))
    }
}
