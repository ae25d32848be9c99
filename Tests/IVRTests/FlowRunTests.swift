import IVR
import TestSupport
import Testing

/// The interpreter on its own: inputs in, actions out, no line and no database.
@Suite(.tags(.unit)) struct FlowRunTests {
    static let yaml = """
        flow: t
        start: ask
        nodes:
          ask:
            collect: {prompt: query_enter, digits: 4, next: say, cancelled: goodbye}
          say:
            read_back: {prompt: query_you_entered, value: collected, next: goodbye}
          goodbye:
            hangup: {prompt: goodbye}
        """

    @Test func collectedDigitsAreReadBack() throws {
        let flow = try FlowLoader.parse(Self.yaml, file: "t.yaml", prompts: ["query_enter", "query_you_entered", "goodbye", "invalid_key", "no_input"], documents: []).get()
        let run = FlowRun(flow: flow, context: .closed)
        #expect(run.handle(.start, at: 0) == [.visited("ask"), .play([.named("query_enter")], id: 1, bargeIn: true)])
        _ = run.handle(.digit("1"), at: 100)
        _ = run.handle(.digit("2"), at: 200)
        _ = run.handle(.digit("3"), at: 300)
        #expect(run.handle(.digit("4"), at: 400) == [.visited("say"), .play([.named("query_you_entered"), .digits("1234")], id: 2, bargeIn: false)])
        #expect(run.handle(.played(id: 2, interrupted: false), at: 3000) == [.visited("goodbye"), .play([.named("goodbye")], id: 3, bargeIn: false)])
        #expect(run.handle(.played(id: 3, interrupted: false), at: 5000) == [.hangUp])
        #expect(run.isEnded)
        #expect(run.path == ["ask", "say", "goodbye"])
    }

    @Test func silenceAfterAPromptTimesOutIntoARetry() throws {
        let flow = try FlowLoader.parse(Self.yaml, file: "t.yaml", prompts: ["query_enter", "query_you_entered", "goodbye", "invalid_key", "no_input"], documents: []).get()
        let run = FlowRun(flow: flow, context: .closed)
        _ = run.handle(.start, at: 0)
        _ = run.handle(.played(id: 1, interrupted: false), at: 2000)
        #expect(run.handle(.tick, at: 11_000).isEmpty)
        #expect(run.handle(.tick, at: 12_000) == [.stopPlayback, .play([.named("no_input"), .named("query_enter")], id: 2, bargeIn: true)])
    }

    static func recording(endOnHash: Bool) throws -> FlowRun {
        let yaml = """
            flow: t
            start: r
            nodes:
              r:
                record: {case: complaint, intro: intro, beep: false, end_on_hash: \(endOnHash), next: goodbye, cancelled: goodbye}
              goodbye:
                hangup: {prompt: goodbye}
            """
        let prompts: Set<String> = ["intro", "goodbye", "invalid_key", "no_input", "please_note", "record_confirm", "record_too_short", "record_cancelled", "your_number_is"]
        let run = FlowRun(flow: try FlowLoader.parse(yaml, file: "t.yaml", prompts: prompts, documents: []).get(), context: .closed)
        _ = run.handle(.start, at: 0)
        #expect(run.handle(.played(id: 1, interrupted: false), at: 2000) == [.startMessage(.complaint)])
        return run
    }

    /// `end_on_hash: false` keeps # as part of the message (a caller keying a house number, say);
    /// by default # ends the recording.
    @Test(arguments: [true, false])
    func hashEndsARecordingOnlyWhenTheFlowSaysSo(endOnHash: Bool) throws {
        let run = try Self.recording(endOnHash: endOnHash)
        let actions = run.handle(.digit("#"), at: 6000)
        #expect(actions.contains(.stopMessage) == endOnHash)
    }
}
