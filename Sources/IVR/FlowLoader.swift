import DSP
import Foundation
import HotlineModel
import Yams

/// Loads and checks a flow file. A flow with any problem is refused as a whole, with every
/// problem listed as file:line, so the flow already running keeps running.
package enum FlowLoader {
    /// `services` are the calendar's: a node's `when:` must name one of them.
    package static func load(file: String, prompts: Set<String>, documents: Set<String>,
                             services: Set<String> = [ServiceCalendar.desk]) -> Result<Flow, SourceErrors> {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            return .failure(SourceErrors(errors: [SourceError(file: file, line: 0, message: "cannot read the flow file")]))
        }
        return parse(text, file: file, prompts: prompts, documents: documents, services: services)
    }

    package static func parse(_ text: String, file: String, prompts: Set<String>, documents: Set<String>,
                              services: Set<String> = [ServiceCalendar.desk]) -> Result<Flow, SourceErrors> {
        let y = YAMLReader(file: file)
        guard let root = y.root(text) else { return .failure(SourceErrors(errors: y.errors)) }
        let top = Dictionary(y.pairs(root, what: "flow file").map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for key in top.keys where !["flow", "start", "entries", "nodes"].contains(key) { y.fail(top[key]!.line, "unknown top-level key \"\(key)\"") }
        let name = y.string(top["flow"]?.value, "flow", in: "flow file", at: 1) ?? "unnamed"
        let start = y.string(top["start"]?.value, "start", in: "flow file", at: 1)
        var nodes: [String: FlowNode] = [:]
        for (nodeName, body, line) in y.pairs(top["nodes"]?.value, what: "nodes") {
            if let node = parseNode(nodeName, body, line, y, documents: documents, services: services) { nodes[nodeName] = node }
        }
        if top["nodes"] == nil { y.fail(1, "flow file: missing \"nodes\"") }

        // Every branch must lead somewhere, every prompt must exist, every node must be reachable.
        for node in nodes.values.sorted(by: { $0.line < $1.line }) {
            for target in node.targets where nodes[target] == nil && target != "back" {
                y.fail(node.line, "\(node.name): leads to \"\(target)\", which is not a node")
            }
            for prompt in node.prompts where !prompts.contains(prompt) {
                y.fail(node.line, "\(node.name): unknown prompt \"\(prompt)\"")
            }
        }
        if let start, nodes[start] == nil { y.fail(top["start"]?.line ?? 1, "start node \"\(start)\" is not a node") }
        var entries: [String: String] = [:]
        for (entry, target, line) in y.pairs(top["entries"]?.value, what: "entries") {
            guard let node = y.string(target, entry, in: "entries", at: line) else { continue }
            if nodes[node] == nil { y.fail(line, "entries: \(entry) starts at \"\(node)\", which is not a node") } else { entries[entry] = node }
        }
        if let start, nodes[start] != nil {
            var seen: Set<String> = Set([start] + entries.values)
            var queue = [start] + entries.values
            while let n = queue.popLast() {
                for t in nodes[n]?.targets ?? [] where nodes[t] != nil && !seen.contains(t) {
                    seen.insert(t)
                    queue.append(t)
                }
            }
            for node in nodes.values.sorted(by: { $0.line < $1.line }) where !seen.contains(node.name) {
                y.fail(node.line, "\(node.name): unreachable from \"\(start)\"")
            }
        }
        guard y.errors.isEmpty, let start else { return .failure(SourceErrors(errors: y.errors.sorted { $0.line < $1.line })) }
        return .success(Flow(name: name, start: start, nodes: nodes, file: file, entries: entries))
    }

    private static func parseNode(_ name: String, _ body: Node, _ line: Int, _ y: YAMLReader, documents: Set<String>, services: Set<String>) -> FlowNode? {
        let kinds = y.pairs(body, what: name)
        guard kinds.count == 1, let (kind, spec, _) = kinds.first else {
            y.fail(line, "\(name): a node has exactly one kind (menu, play, read_back, record, collect, status, survey, fax_receive, fax_send, fax_queue, transfer, goto, back, hangup)")
            return nil
        }
        let node = NodeParser(name: name, kind: kind, spec: spec, line: line, y: y, documents: documents, services: services)
        let parsed: FlowNode.Kind?
        switch kind {
        case "menu": parsed = node.menu()
        case "play": parsed = node.play()
        case "read_back": parsed = node.readBack()
        case "record": parsed = node.record()
        case "collect": parsed = node.collect()
        case "status": parsed = node.status()
        case "survey": parsed = node.survey()
        case "fax_receive": parsed = node.faxReceive()
        case "fax_send": parsed = node.faxSend()
        case "fax_queue": parsed = node.faxQueue()
        case "transfer": parsed = node.transfer()
        case "goto": parsed = node.goto()
        case "back": parsed = node.back()
        case "hangup": parsed = node.hangUp()
        default:
            y.fail(line, "\(name): unknown node kind \"\(kind)\"")
            parsed = nil
        }
        return parsed.map { FlowNode(name: name, line: line, kind: $0) }
    }
}

/// One node's fields, read by the parser for its kind: each field once, every unknown field and
/// every bad value reported at its line.
private struct NodeParser {
    let owner: String
    let spec: Node
    let line: Int
    let y: YAMLReader
    let documents: Set<String>
    let services: Set<String>
    let fields: [String: Node]

    init(name: String, kind: String, spec: Node, line: Int, y: YAMLReader, documents: Set<String>, services: Set<String>) {
        owner = "\(name) (\(kind))"
        self.spec = spec
        self.line = line
        self.y = y
        self.documents = documents
        self.services = services
        var fields: [String: Node] = [:]
        if spec.mapping != nil { for (k, v, _) in y.pairs(spec, what: owner) { fields[k] = v } }
        self.fields = fields
    }

    func text(_ f: String, required: Bool = true) -> String? { y.string(fields[f], f, in: owner, at: line, required: required) }

    func allow(_ known: [String]) {
        for k in fields.keys where !known.contains(k) { y.fail(fields[k], "\(owner): unknown field \"\(k)\"") }
    }

    /// A calendar service the calendar names.
    func service(_ f: String) -> String? {
        guard let name = text(f, required: false) else { return nil }
        if !services.contains(name) {
            y.fail(fields[f], "\(owner): \(f) names \"\(name)\", which the calendar does not (it has \(services.sorted().joined(separator: ", ")))")
        }
        return name
    }

    func menu() -> FlowNode.Kind? {
        allow(["prompt", "keys", "timeout", "retries", "invalid", "no_input", "on_fail", "when", "closed", "answer"])
        var keys: [Character: String] = [:]
        for (k, v, kl) in y.pairs(fields["keys"], what: "\(owner) keys") {
            guard k.count == 1, let c = k.first, "0123456789*#".contains(c) else { y.fail(kl, "\(owner): key \"\(k)\" is not a phone key"); continue }
            if let target = y.string(v, "keys", in: owner, at: kl) { keys[c] = target }
        }
        if fields["keys"] == nil { y.fail(line, "\(owner): missing \"keys\"") }
        var m = FlowNode.Menu(prompt: text("prompt") ?? "", keys: keys)
        m.timeoutMs = y.duration(fields["timeout"], "timeout", in: owner, range: 1000...60_000) ?? m.timeoutMs
        m.retries = y.int(fields["retries"], "retries", in: owner, range: 0...9) ?? m.retries
        m.invalid = text("invalid", required: false) ?? m.invalid
        m.noInput = text("no_input", required: false) ?? m.noInput
        m.onFail = text("on_fail", required: false) ?? m.onFail
        m.answer = text("answer", required: false)
        switch (service("when"), text("closed", required: false)) {
        case (let service?, let closed?): m.when = FlowNode.ServiceCondition(service: service, closed: closed)
        case (nil, nil): break
        case (_?, nil): y.fail(fields["when"], "\(owner): when needs closed, the node callers go to while the service is closed")
        case (nil, _?): y.fail(fields["closed"], "\(owner): closed needs when, the calendar service it depends on")
        }
        return .menu(m)
    }

    func play() -> FlowNode.Kind? {
        allow(["prompt", "prompts", "next"])
        let list = fields["prompts"]?.sequence.map { $0.compactMap { y.string($0, "prompts", in: owner, at: line) } } ?? [text("prompt")].compactMap { $0 }
        return .play(prompts: list, next: text("next") ?? "")
    }

    func readBack() -> FlowNode.Kind? {
        allow(["prompt", "value", "next"])
        let raw = text("value") ?? ""
        let value = FlowNode.ReadBackValue(rawValue: raw)
        if !raw.isEmpty && value == nil { y.fail(fields["value"], "\(owner): value must be case_number or collected") }
        return .readBack(prompt: text("prompt") ?? "", value: value ?? .caseNumber, next: text("next") ?? "")
    }

    func record() -> FlowNode.Kind? {
        allow(["case", "intro", "beep", "max", "min", "silence", "end_on_hash", "confirm", "next", "cancelled"])
        let caseName = text("case")
        let caseKind = caseName.flatMap(CaseKind.init(rawValue:))
        if caseName != nil && caseKind == nil { y.fail(fields["case"], "\(owner): case must be one of \(CaseKind.allCases.map(\.rawValue).joined(separator: ", "))") }
        var r = FlowNode.Record(caseKind: caseKind ?? .complaint, intro: text("intro") ?? "", next: text("next") ?? "", cancelled: text("cancelled") ?? "")
        r.beep = y.bool(fields["beep"], "beep", in: owner) ?? r.beep
        r.maxMs = y.duration(fields["max"], "max", in: owner, range: 5000...600_000) ?? r.maxMs
        r.minMs = y.duration(fields["min"], "min", in: owner, range: 0...60_000) ?? r.minMs
        r.silenceMs = y.duration(fields["silence"], "silence", in: owner, range: 2000...60_000) ?? r.silenceMs
        r.endOnHash = y.bool(fields["end_on_hash"], "end_on_hash", in: owner) ?? r.endOnHash
        r.confirm = text("confirm", required: false) ?? r.confirm
        return .record(r)
    }

    func collect() -> FlowNode.Kind? {
        allow(["prompt", "digits", "min_digits", "repeat", "confirm", "timeout", "inter_digit", "next", "cancelled", "on_fail"])
        let digits = y.int(fields["digits"], "digits", in: owner, range: 1...DTMFKeypad.maxNumberDigits) ?? 8
        var c = FlowNode.Collect(prompt: text("prompt") ?? "", digits: digits,
                                 repeatPrompt: text("repeat", required: false), confirm: text("confirm", required: false),
                                 minDigits: y.int(fields["min_digits"], "min_digits", in: owner, range: 1...digits) ?? digits,
                                 next: text("next") ?? "", cancelled: text("cancelled") ?? "")
        c.timeoutMs = y.duration(fields["timeout"], "timeout", in: owner, range: 2000...60_000) ?? c.timeoutMs
        c.interDigitMs = y.duration(fields["inter_digit"], "inter_digit", in: owner, range: 1000...30_000) ?? c.interDigitMs
        c.onFail = text("on_fail", required: false)
        return .collect(c)
    }

    func status() -> FlowNode.Kind? {
        allow(CaseStatus.allCases.map(\.rawValue) + ["note", "unknown", "mistyped", "retry", "next"])
        var prompts: [CaseStatus: String] = [:]
        for s in CaseStatus.allCases { if let p = text(s.rawValue) { prompts[s] = p } }
        return .status(FlowNode.StatusLookup(statusPrompts: prompts, note: text("note", required: false), unknown: text("unknown") ?? "", mistyped: text("mistyped") ?? "",
                                               retry: text("retry") ?? "", next: text("next") ?? ""))
    }

    func survey() -> FlowNode.Kind? {
        allow(["name", "intro", "questions", "thanks", "timeout", "next"])
        var questions: [(String, String, String)] = []
        if let list = fields["questions"]?.sequence {
            for q in list {
                let qf = Dictionary(y.pairs(q, what: "\(owner) question").map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                let ql = y.line(q)
                if let id = y.string(qf["id"], "id", in: owner, at: ql), let p = y.string(qf["prompt"], "prompt", in: owner, at: ql),
                   let choices = y.string(qf["choices"], "choices", in: owner, at: ql) {
                    if !choices.allSatisfy({ "0123456789*#".contains($0) }) { y.fail(qf["choices"], "\(owner): choices must be phone keys") }
                    questions.append((id, p, choices))
                }
            }
        } else { y.fail(line, "\(owner): missing \"questions\" (a list)") }
        var s = FlowNode.Survey(name: text("name") ?? "", intro: text("intro", required: false), questions: questions,
                                thanks: text("thanks", required: false), next: text("next") ?? "")
        s.timeoutMs = y.duration(fields["timeout"], "timeout", in: owner, range: 2000...60_000) ?? s.timeoutMs
        return .survey(s)
    }

    func faxReceive() -> FlowNode.Kind? {
        allow(["next"])
        return .faxReceive(next: text("next") ?? "")
    }

    func faxSend() -> FlowNode.Kind? {
        allow(["document", "prompt", "next"])
        return .faxSend(document: document(), prompt: text("prompt", required: false), next: text("next") ?? "")
    }

    func faxQueue() -> FlowNode.Kind? {
        allow(["document", "prompt", "next"])
        return .faxQueue(document: document(), prompt: text("prompt", required: false), next: text("next") ?? "")
    }

    /// The `document` field: one the box holds.
    private func document() -> String {
        let doc = text("document")
        if let doc, !documents.contains(doc) { y.fail(fields["document"], "\(owner): unknown document \"\(doc)\"") }
        return doc ?? ""
    }

    func transfer() -> FlowNode.Kind? {
        allow(["number", "when", "prompt", "unavailable", "unavailable_prompt", "closed", "busy", "timeout"])
        var t = FlowNode.Transfer(unavailable: text("unavailable") ?? "")
        if let number = text("number", required: false) {
            if DTMFKeypad.isDialString(number) { t.number = number } else {
                y.fail(fields["number"], "\(owner): number must be at most \(DTMFKeypad.maxNumberDigits) phone keys (0-9 * # A-D)")
            }
        }
        t.service = service("when") ?? t.service
        t.closed = text("closed", required: false)
        t.busy = text("busy", required: false)
        t.timeoutMs = y.duration(fields["timeout"], "timeout", in: owner, range: 10_000...120_000) ?? t.timeoutMs
        t.prompt = text("prompt", required: false) ?? t.prompt
        t.unavailablePrompt = text("unavailable_prompt", required: false) ?? t.unavailablePrompt
        return .transfer(t)
    }

    func goto() -> FlowNode.Kind? {
        return y.string(spec, "goto", in: owner, at: line).map { .goto($0) }
    }

    func back() -> FlowNode.Kind? {
        return .back
    }

    func hangUp() -> FlowNode.Kind? {
        allow(["prompt"])
        return .hangUp(prompt: text("prompt", required: false))
    }
}
