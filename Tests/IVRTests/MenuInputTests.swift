import HotlineModel
import IVR
import TestSupport
import Testing

/// The input rules of docs/FLOWS.md, one by one: `#` and `*`, the inter-digit time, keys typed
/// ahead, the question asked again after a wrong key or silence, a give-up that keeps the
/// message, and the calendar's say over menus and transfers.
@Suite(.tags(.unit)) struct MenuInputTests {
    static let yaml = """
        flow: input
        start: info
        nodes:
          info:
            play: {prompt: p_info, next: menu}
          menu:
            menu: {prompt: p_menu, keys: {"1": query, "2": phone, "3": rec, "4": desk, "5": desk_menu}}
          query:
            collect: {prompt: p_enter, digits: 8, repeat: p_you_entered, confirm: p_confirm, next: done, cancelled: menu}
          phone:
            collect: {prompt: p_phone, digits: 12, min_digits: 7, inter_digit: 3s, next: done, cancelled: menu}
          rec:
            record: {case: complaint, intro: p_intro, beep: false, min: 1s, next: done, cancelled: menu}
          desk:
            transfer: {number: "12315", unavailable: menu, closed: after_hours}
          desk_menu:
            menu: {prompt: p_desk_menu, keys: {"1": desk}, when: desk, closed: after_hours}
          after_hours:
            play: {prompt: p_after_hours, next: done}
          done:
            hangup: {prompt: goodbye}
          goodbye:
            hangup: {prompt: goodbye}
        """

    static let prompts: Set<String> = [
        "p_info", "p_menu", "p_enter", "p_you_entered", "p_confirm", "p_phone", "p_intro", "p_desk_menu", "p_after_hours",
        "goodbye", "invalid_key", "no_input", "please_note", "record_confirm", "record_too_short", "record_cancelled", "your_number_is",
        "transferring", "manual_unavailable",
    ]

    /// A run of the flow, and a helper that feeds inputs one after the other at rising times.
    final class Caller {
        let run: FlowRun
        var now = 0
        var lastPlay: Int32 = 0

        init(deskOpen: Bool = false, start: String? = nil) throws {
            var flow = try FlowLoader.parse(MenuInputTests.yaml, file: "input.yaml", prompts: MenuInputTests.prompts, documents: []).get()
            if let start { flow.start = start }
            run = FlowRun(flow: flow, context: FlowContext(isOpen: { service, _ in deskOpen && service == ServiceCalendar.desk }, transferNumber: nil))
        }

        @discardableResult
        func send(_ input: FlowInput, after ms: Int = 100) -> [FlowAction] {
            now += ms
            let actions = run.handle(input, at: now)
            for case .play(_, let id, _) in actions { lastPlay = id }
            return actions
        }

        /// The prompt now playing ends.
        @discardableResult
        func played(after ms: Int = 2000) -> [FlowAction] { send(.played(id: lastPlay, interrupted: false), after: ms) }

        @discardableResult
        func keys(_ digits: String) -> [FlowAction] { digits.flatMap { send(.digit($0)) } }

        static func plays(_ actions: [FlowAction]) -> [[PromptRef]] {
            actions.compactMap { if case .play(let refs, _, _) = $0 { refs } else { nil } }
        }
    }

    @Test func keysTypedOverAnInformingPromptAnswerTheNextMenu() throws {
        let caller = try Caller()
        caller.send(.start)
        // "1" over the information, which does not ask anything: kept, not lost.
        #expect(caller.keys("1").isEmpty)
        let actions = caller.played()
        #expect(actions.contains(.visited("menu")) && actions.contains(.visited("query")), "\(actions)")
    }

    @Test func aWrongKeyAtTheConfirmationAsksForTheConfirmationAgain() throws {
        let caller = try Caller(start: "query")
        caller.send(.start)
        caller.keys("12345678")
        let again = caller.keys("7")
        #expect(Caller.plays(again) == [[.named("invalid_key"), .named("p_you_entered"), .digits("12345678"), .named("p_confirm")]])
        caller.played(after: 6000)
        let silence = caller.send(.tick, after: 10_001)
        #expect(Caller.plays(silence) == [[.named("no_input"), .named("p_you_entered"), .digits("12345678"), .named("p_confirm")]])
        // …and 1 still confirms the number keyed, not a re-keyed one.
        caller.played(after: 6000)
        #expect(caller.keys("1").contains(.visited("done")))
    }

    @Test func starStartsTheNumberOverAndHashEndsAShorterOne() throws {
        let caller = try Caller(start: "phone")
        caller.send(.start)
        caller.keys("139")
        #expect(Caller.plays(caller.keys("*")) == [[.named("p_phone")]])
        // Too short for the node's min_digits: a wrong entry, asked again.
        caller.keys("123")
        #expect(Caller.plays(caller.keys("#")) == [[.named("invalid_key"), .named("p_phone")]])
        caller.played()
        #expect(caller.keys("13912340000#").contains(.visited("done")))
    }

    @Test func theHashAfterAFullNumberIsNotAWrongKey() throws {
        let caller = try Caller(start: "query")
        caller.send(.start)
        caller.keys("12345678")
        #expect(caller.keys("#").isEmpty)
        #expect(caller.keys("1").contains(.visited("done")))
    }

    @Test(arguments: [("1391234", true), ("13912", false)])
    func theInterDigitTimeEndsANumberLongEnough(digits: String, taken: Bool) throws {
        let caller = try Caller(start: "phone")
        caller.send(.start)
        caller.keys(digits)
        #expect(caller.send(.tick, after: 2900).isEmpty)
        let actions = caller.send(.tick, after: 200)
        if taken {
            #expect(actions.contains(.visited("done")), "\(actions)")
        } else {
            #expect(Caller.plays(actions) == [[.named("invalid_key"), .named("p_phone")]])
        }
    }

    /// Wrong keys at the recording's confirmation, past the retries: the message is kept as an
    /// incomplete case, as for a hang-up, and the caller is let go politely.
    @Test func givingUpAtTheConfirmationKeepsTheMessage() throws {
        let caller = try Caller(start: "rec")
        caller.send(.start)
        #expect(caller.played() == [.startMessage(.complaint)])
        #expect(caller.send(.digit("#"), after: 3000).contains(.stopMessage))
        caller.played()
        for _ in 1...3 {
            #expect(Caller.plays(caller.keys("9")) == [[.named("invalid_key"), .named("record_confirm")]])
            caller.played()
        }
        let last = caller.keys("9")
        #expect(last.contains(.createCase(.complaint, complete: false)), "\(last)")
        #expect(last.contains(.visited("goodbye")))
        // Hanging up during the goodbye makes no second case.
        #expect(!caller.send(.hungUp).contains { if case .createCase = $0 { true } else { false } })
    }

    @Test(arguments: [true, false])
    func theCalendarDecidesWhereTheDeskLeads(open: Bool) throws {
        let transfer = try Caller(deskOpen: open, start: "desk")
        let actions = transfer.send(.start)
        if open {
            #expect(Caller.plays(actions) == [[.named("transferring")]])
            #expect(transfer.played() == [.transfer(number: "12315", noAnswerMs: 30_000)])
        } else {
            #expect(actions.contains(.visited("after_hours")), "\(actions)")
        }
        let menu = try Caller(deskOpen: open, start: "desk_menu").send(.start)
        #expect(menu.contains(.visited("after_hours")) != open, "\(menu)")
    }

    /// The desk answering ends the box's part; busy, ringing out or a refusal bring the caller
    /// back to the box, which says so and goes on (here: the transfer's `unavailable`).
    @Test(arguments: [OutboundResult.answered, .busy, .noAnswer, .congestion, .noDialTone])
    func aTransferEndsWhenTheDeskAnswersAndComesBackOtherwise(result: OutboundResult) throws {
        let caller = try Caller(deskOpen: true, start: "desk")
        caller.send(.start)
        caller.played()
        // Keys while the caller is held are not the caller's answers to anything.
        #expect(caller.keys("5").isEmpty)
        let actions = caller.send(.transferred(result), after: 8000)
        if result == .answered {
            #expect(actions == [.hangUp])
            #expect(caller.run.isEnded)
        } else {
            #expect(Caller.plays(actions) == [[.named("manual_unavailable")]])
            #expect(caller.played().contains(.visited("menu")))
        }
    }

    @Test(arguments: [
        ("menu: {prompt: p_menu, keys: {\"1\": done}, when: night, closed: done}", "when names \"night\", which the calendar does not"),
        ("menu: {prompt: p_menu, keys: {\"1\": done}, when: desk}", "when needs closed"),
        ("menu: {prompt: p_menu, keys: {\"1\": done}, closed: done}", "closed needs when"),
        ("transfer: {number: \"123-45\", unavailable: done}", "number must be at most 32 phone keys"),
        ("collect: {prompt: p_enter, digits: 8, min_digits: 9, next: done, cancelled: done}", "min_digits"),
    ])
    func mistakesAreReportedAtTheirLine(node: String, message: String) throws {
        let yaml = "flow: bad\nstart: x\nnodes:\n  x:\n    \(node)\n  done:\n    hangup: {prompt: goodbye}\n"
        let result = FlowLoader.parse(yaml, file: "bad.yaml", prompts: Self.prompts, documents: [])
        guard case .failure(let errors) = result else { Issue.record("accepted: \(node)"); return }
        #expect(errors.errors.contains { $0.line == 5 && $0.message.contains(message) }, "\(errors)")
    }
}
