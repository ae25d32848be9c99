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
        let run = FlowRun(flow: flow, transferAvailable: false)
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
        let run = FlowRun(flow: flow, transferAvailable: false)
        _ = run.handle(.start, at: 0)
        _ = run.handle(.played(id: 1, interrupted: false), at: 2000)
        #expect(run.handle(.tick, at: 11_000).isEmpty)
        #expect(run.handle(.tick, at: 12_000) == [.stopPlayback, .play([.named("no_input"), .named("query_enter")], id: 2, bargeIn: true)])
    }
}
