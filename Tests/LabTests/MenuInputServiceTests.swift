import Foundation
import HotlineModel
import LocalDB
import SystemTestSupport
import Testing
import TestSupport

/// The input rules and the desk's hours as callers meet them, through `simulate`: real DTMF and
/// speech on a simulated line, the seed flow, the case store.
@Suite(.tags(.system), .skippedInFastRun) struct MenuInputServiceTests {
    typealias Rig = SimulationRig

    /// A complaint, then a query of its number keyed by `keying` (steps after the query's
    /// prompt), confirmed with 1.
    static func query(_ keying: String) -> String {
        let query = Rig.autoMenu("3") + ", " + keying + #"""
            , {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 1000}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 2000},
            """# + Rig.hangUp
        return """
            {"lines": 1, "calls": [
              {"line": 0, "at_ms": 0, "script": [\(Rig.complaint), \(Rig.hangUp)]},
              {"line": 0, "at_ms": 120000, "script": [\(query)]}
            ]}
            """
    }

    /// A wrong key at "确认请按1，取消请按2" asks that question again, with the number, not
    /// "请输入8位投诉受理号"; the 1 after it confirms the number and the status is heard.
    @Test func aWrongKeyAtTheQuerysConfirmationRepeatsTheConfirmation() throws {
        let keying = #"""
            {"do": "wait", "ms": 1500}, {"do": "dtmf_case_number", "case": 0},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 1000}, {"do": "dtmf", "digits": "7"}
            """#
        let asked = try #require(try Rig.run(Self.query(keying)).report.calls.last)
        let names = asked.promptNames
        let wrong = try #require(names.firstIndex(of: "invalid_key"))
        #expect(names[wrong + 1] == "query_you_entered", "\(names)")
        #expect(names.contains("status_accepted"))
        #expect(asked.path.suffix(3) == ["query", "query_result", "other_services"])
    }

    /// `*` drops what was keyed and asks again; the `#` after a full number ends it, harmlessly.
    @Test func starStartsTheNumberOverAndHashEndsIt() throws {
        let keying = #"""
            {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "555*"}, {"do": "wait", "ms": 1000},
            {"do": "dtmf_case_number", "case": 0}, {"do": "dtmf", "digits": "#"}
            """#
        let asked = try #require(try Rig.run(Self.query(keying)).report.calls.last)
        #expect(asked.promptNames.filter { $0 == "query_enter" }.count == 2)
        #expect(!asked.promptNames.contains("invalid_key"))
        #expect(asked.promptNames.contains("status_accepted"))
    }

    /// Keys pressed over a prompt that only informs count at the next menu: "*" over the policy
    /// information answers "传真到本机请按1……返回请按星号键" as soon as it is asked.
    @Test func aKeyTypedOverTheInformationAnswersTheNextMenu() throws {
        let steps = Rig.autoMenu("4") + #"""
            , {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "1"}, {"do": "wait", "ms": 2500}, {"do": "dtmf", "digits": "*"},
            {"do": "wait_for_silence", "ms": 800, "timeout_ms": 30000}, {"do": "wait", "ms": 2000},
            """# + Rig.hangUp
        let call = try #require(try Rig.run(Rig.call(steps)).report.calls.first)
        #expect(call.path.suffix(3) == ["policy", "policy_fax", "consult_menu"], "\(call.path)")
        #expect(!call.promptNames.contains("no_input") && !call.promptNames.contains("invalid_key"))
    }

    /// Silence at the recording's confirmation is told as silence ("您没有按键"), not as a wrong key.
    @Test func silenceAtTheRecordingsConfirmationIsNotAWrongKey() throws {
        let steps = Rig.autoMenu("2") + #"""
            , {"do": "wait_for_beep"}, {"do": "say", "text": "小区垃圾无人清运。"}, {"do": "dtmf", "digits": "#"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 9000, "timeout_ms": 30000},
            {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000},
            """# + Rig.hangUp
        let call = try #require(try Rig.run(Rig.call(steps)).report.calls.first)
        #expect(call.promptNames.contains("no_input"))
        #expect(!call.promptNames.contains("invalid_key"))
        #expect(call.cases.map(\.kind) == ["complaint"] && call.cases.first?.complete == true)
    }

    /// Four wrong keys at the confirmation: the caller is let go, and the message is kept as an
    /// incomplete case with its recording, not left orphaned on disk until a restart.
    @Test func wrongKeysAtTheConfirmationKeepTheMessage() throws {
        let steps = Rig.autoMenu("2") + #"""
            , {"do": "wait_for_beep"}, {"do": "say", "text": "工地夜间施工噪音很大。"}, {"do": "dtmf", "digits": "#"},
            {"do": "wait_for_prompt"}, {"do": "wait", "ms": 800}, {"do": "dtmf", "digits": "9"},
            {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "8"}, {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "7"},
            {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "6"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000},
            """# + Rig.hangUp
        let out = try Rig.run(Rig.call(steps))
        let call = try #require(out.report.calls.first)
        #expect(call.path.last == "goodbye")
        let kept = try #require(call.cases.first)
        #expect(kept.kind == "complaint" && !kept.complete)
        let stored = try #require(try out.store.lookup(AcceptanceNumber(validating: kept.number)))
        let media = try #require(try out.store.media(case: stored.id).first)
        #expect(FileManager.default.fileExists(atPath: media.path) && !media.complete)
    }

    /// Out of the desk's hours, 1 tells the caller the hours (from the calendar) and takes a
    /// message for a call-back: a callback_request case with the caller's number.
    @Test func outOfHoursTheCallerLeavesACallbackRequest() throws {
        let steps = #"""
            {"do": "wait_for_prompt"}, {"do": "wait", "ms": 1000}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_beep"}, {"do": "say", "text": "我想咨询社保转移,请回电。"}, {"do": "dtmf", "digits": "#"},
            {"do": "wait_for_prompt"}, {"do": "wait", "ms": 800}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000},
            """# + Rig.hangUp
        let out = try Rig.run(Rig.call(steps, caller: "13912340000", startsAt: Rig.deskClosed))
        let call = try #require(out.report.calls.first)
        #expect(call.path == ["welcome", "manual", "manual_closed", "callback_request", "other_services"])
        #expect(call.promptNames.starts(with: ["welcome", "manual_closed", "hours_desk", "callback_intro"]), "\(call.promptNames)")
        let made = try #require(call.cases.first)
        #expect(made.kind == CaseKind.callbackRequest.rawValue && made.complete)
        #expect(call.numberReadBack == made.number)
        let stored = try #require(try out.store.lookup(AcceptanceNumber(validating: made.number)))
        #expect(stored.callerNumber == "13912340000")
    }
}
