import Box
import DSP
import Foundation
import HotlineModel
import IVR
import LocalDB
import SystemTestSupport
import Testing
import TestSupport

/// Every branch of the seed's voice menus, through `simulate`.
@Suite(.tags(.system), .skippedInFastRun) struct SeedServiceTests {
    typealias Rig = SimulationRig

    @Test func aConfirmedComplaintIsStoredAndItsNumberReadBack() throws {
        let out = try Rig.run(Rig.call(Rig.complaint + ", " + Rig.hangUp))
        let call = try #require(out.report.calls.first)
        #expect(call.path == ["welcome", "auto_menu", "complaint", "other_services"])
        let made = try #require(call.cases.first)
        #expect(made.kind == "complaint")
        #expect(made.complete)
        // The number read back is the one in the database, and it was committed first.
        #expect(call.numberReadBack == made.number)
        let stored = try #require(try out.store.lookup(AcceptanceNumber(validating: made.number)))
        #expect(stored.kind == .complaint && stored.status == .accepted && stored.callerNumber == "13812345678")
        let media = try out.store.media(case: stored.id)
        #expect(media.count == 1)
        let message = try WAVFile.read(try #require(media.first?.path))
        #expect(SampleClock.ms(message.count) > 2000)
        // The whole call is recorded too, in stereo, and the CDR is closed.
        let cdr = try #require(try out.store.calls().first)
        #expect(cdr.disconnectReason == "loop_current_lost")
        #expect(cdr.ivrPath == "welcome auto_menu complaint other_services")
        #expect(try out.store.media(call: cdr.id).contains { $0.kind == .callRecording })
        #expect(try WAVFile.read(try #require(call.callRecording), channels: 2).count > 0)
    }

    @Test func aComplaintCanBeReplayedThenCancelled() throws {
        let steps = Rig.autoMenu("2") + #"""
            , {"do": "wait_for_beep"}, {"do": "say", "text": "路边摊占道经营。"}, {"do": "dtmf", "digits": "#"},
            {"do": "wait_for_prompt"}, {"do": "wait", "ms": 800}, {"do": "dtmf", "digits": "2"},
            {"do": "wait_for_silence", "ms": 2500}, {"do": "dtmf", "digits": "3"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 1500},
            """# + Rig.hangUp
        let out = try Rig.run(Rig.call(steps))
        let call = try #require(out.report.calls.first)
        #expect(call.cases.isEmpty)
        #expect(call.promptNames.contains("message"))
        #expect(call.promptNames.contains("record_cancelled"))
        #expect(call.path == ["welcome", "auto_menu", "complaint", "auto_menu"])
        #expect(try out.store.cases().isEmpty)
        // The cancelled message is not left on disk.
        let recordings = try FileManager.default.contentsOfDirectory(atPath: out.data.path("box/recordings"))
        #expect(!recordings.contains { $0.hasPrefix("msg-") })
    }

    @Test func theMayorsMailboxTakesAMessage() throws {
        let steps = Rig.autoMenu("1") + #"""
            , {"do": "wait_for_beep"}, {"do": "say", "text": "市长您好,建议多设公交站。"}, {"do": "dtmf", "digits": "#"},
            {"do": "wait_for_prompt"}, {"do": "wait", "ms": 800}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000},
            """# + Rig.hangUp
        let out = try Rig.run(Rig.call(steps))
        let call = try #require(out.report.calls.first)
        #expect(call.cases.map(\.kind) == ["mayor_mailbox"])
        #expect(call.numberReadBack == call.cases.first?.number)
    }

    /// A query with the right number hears the status the central office set.
    @Test(arguments: CaseStatus.allCases)
    func aQueryHearsTheCaseStatus(status: CaseStatus) throws {
        let json = Rig.complaintThenQuery(centralSets: status == .accepted ? nil : status)
        let out = try Rig.run(json)
        let asked = try #require(out.report.calls.last)
        #expect(asked.path == ["welcome", "auto_menu", "query", "query_result", "other_services"])
        #expect(asked.promptNames.contains("status_\(status.rawValue)"))
        // The number was repeated back before the caller confirmed it.
        #expect(asked.promptNames.contains("query_you_entered"))
    }

    @Test func aMistypedNumberIsCaughtByItsCheckDigit() throws {
        let query = Rig.autoMenu("3") + #"""
            , {"do": "wait", "ms": 1500}, {"do": "dtmf_case_number", "case": 0, "mistype": true},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 1000}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 2000},
            """# + Rig.hangUp
        let json = """
            {"lines": 1, "calls": [
              {"line": 0, "at_ms": 0, "script": [\(Rig.complaint), \(Rig.hangUp)]},
              {"line": 0, "at_ms": 120000, "script": [\(query)]}
            ]}
            """
        let asked = try #require(try Rig.run(json).report.calls.last)
        #expect(asked.promptNames.contains("number_mistyped"))
        // …and the caller is asked for the number again.
        #expect(asked.path.suffix(2) == ["query_result", "query"])
    }

    @Test func anUnknownNumberIsSaidToBeUnknown() throws {
        let valid = AcceptanceNumber(prefix: NodePrefix("1")!, sequence: 4321).digits
        let steps = Rig.autoMenu("3") + #"""
            , {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "\#(valid)"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 1000}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 2000},
            """# + Rig.hangUp
        let call = try #require(try Rig.run(Rig.call(steps)).report.calls.first)
        #expect(call.promptNames.contains("number_unknown"))
    }

    @Test func consultationInformationIsFaxedBack() throws {
        let steps = Rig.autoMenu("4") + #"""
            , {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_silence", "ms": 800, "timeout_ms": 30000}, {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "1"},
            {"do": "receive_fax"},
            """# + Rig.hangUp
        let out = try Rig.run(Rig.call(steps))
        let call = try #require(out.report.calls.first)
        #expect(call.promptNames.contains("info_policy"))
        #expect(call.fax?.success == true)
        #expect(call.callerFax?.success == true)
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: out.data.path("box/scenario")).first { $0.hasPrefix("received-") })
        let received = try FaxDocument.read(out.data.path("box/scenario/\(name)"))
        #expect(received == (try FaxDocument.read(out.data.path("box/documents/policy.tif"))))
    }

    @Test func aSurveyKeepsEveryAnswer() throws {
        let steps = Rig.autoMenu("5") + #"""
            , {"do": "wait", "ms": 4000}, {"do": "dtmf", "digits": "2"}, {"do": "wait", "ms": 2000}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000},
            """# + Rig.hangUp
        let out = try Rig.run(Rig.call(steps))
        let call = try #require(out.report.calls.first)
        #expect(call.cases.map(\.kind) == ["survey"])
        let answers = try out.store.surveyAnswers(call: try #require(try out.store.calls().first).id)
        #expect(answers.map(\.question) == ["service", "environment"])
        #expect(answers.map(\.answer) == ["2", "1"])
        #expect(call.promptNames.contains("survey_thanks"))
    }

    /// A fax machine calling: CNG at the answer, or partway through the menus.
    @Test(arguments: [(false, 2), (true, 1)] as [(Bool, Int)])
    func aFaxCallerBecomesAFaxCase(midMenu: Bool, pages: Int) throws {
        let before = midMenu ? #"{"do": "wait_for_prompt"}, {"do": "wait", "ms": 1000}, {"do": "dtmf", "digits": "2"}, {"do": "wait", "ms": 1000}, "# : ""
        let out = try Rig.run(Rig.call(before + #"{"do": "send_fax", "pages": \#(pages)}, "# + Rig.hangUp))
        let call = try #require(out.report.calls.first)
        let fax = try #require(call.cases.first)
        #expect(fax.kind == "fax" && fax.pages == pages && fax.complete)
        #expect(call.disposition == Disposition.faxReceived.rawValue)
        #expect(try FaxDocument.read(fax.files[0]) == (1...pages).map { FaxPage.testChart(number: $0) })
        #expect(call.path == (midMenu ? ["welcome", "auto_menu"] : ["welcome"]))
    }

    @Test func manualServiceWithoutATransferNumberOffersTheAutomaticMenu() throws {
        let steps = #"{"do": "wait_for_prompt"}, {"do": "wait", "ms": 1000}, {"do": "dtmf", "digits": "1"}, {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 1500}, "# + Rig.hangUp
        let call = try #require(try Rig.run(Rig.call(steps, startsAt: Rig.deskOpen)).report.calls.first)
        #expect(call.path == ["welcome", "manual", "auto_menu"])
        #expect(call.promptNames.contains("manual_unavailable"))
    }

    @Test func aHangUpWhileRecordingKeepsTheMessageAsAnIncompleteCase() throws {
        let steps = Rig.autoMenu("2") + #", {"do": "wait_for_beep"}, {"do": "say", "text": "我要举报一家工厂夜间偷排污水,地点在"}, "# + Rig.hangUp
        let out = try Rig.run(Rig.call(steps))
        let call = try #require(out.report.calls.first)
        let kept = try #require(call.cases.first)
        #expect(kept.kind == "complaint" && !kept.complete)
        // Nobody was there to hear a number; the message is on disk and playable.
        #expect(!call.promptNames.contains("your_number_is"))
        let stored = try #require(try out.store.lookup(AcceptanceNumber(validating: kept.number)))
        #expect(!stored.complete)
        let media = try #require(try out.store.media(case: stored.id).first)
        #expect(!media.complete)
        #expect(SampleClock.ms(try WAVFile.read(media.path).count) > 1500)
    }

    /// Wrong keys and silence get the configured retries, then a polite goodbye.
    @Test(arguments: ["invalid", "silent"])
    func retriesThenGoodbye(behaviour: String) throws {
        let steps = behaviour == "invalid"
            ? #"{"do": "wait_for_prompt"}, {"do": "dtmf", "digits": "9"}, {"do": "wait", "ms": 3000}, {"do": "dtmf", "digits": "8"}, {"do": "wait", "ms": 3000}, {"do": "dtmf", "digits": "7"}, {"do": "wait", "ms": 3000}, {"do": "dtmf", "digits": "6"}, {"do": "wait", "ms": 60000}"#
            : #"{"do": "wait", "ms": 90000}"#
        let call = try #require(try Rig.run(Rig.call(steps)).report.calls.first)
        let retry = behaviour == "invalid" ? "invalid_key" : "no_input"
        #expect(call.promptNames.filter { $0 == retry }.count == 3)
        #expect(call.path.last == "goodbye")
        #expect(call.promptNames.last == "goodbye")
        #expect(call.disconnectReason == "local")
    }
}

/// The supervised transfer against the simulated exchange's desk: it answers (speaking, or
/// silently), is busy, rings out, or the exchange offers no flash transfer.
@Suite(.tags(.system), .skippedInFastRun) struct ManualServiceTransferTests {
    typealias Rig = SimulationRig

    static func run(_ steps: String, desk: String) throws -> SimulationRig.Outcome {
        try Rig.run(Rig.call(steps, startsAt: Rig.deskOpen, desk: desk)) { $0.transferNumber = "8001" }
    }

    /// Within hours, 1 transfers: the box flashes, dials, hears the desk answer (its voice, or
    /// ringback ending) and hangs up, which joins the caller to the desk.
    @Test(arguments: [#"{"answers": "answer", "after_rings": 2, "says": "您好,人工座席。"}"#, #"{"answers": "answer", "after_rings": 1}"#])
    func theDeskAnsweringTakesTheCall(desk: String) throws {
        let out = try Self.run(Rig.manualService + #", {"do": "wait", "ms": 60000}, "# + Rig.hangUp, desk: desk)
        let call = try #require(out.report.calls.first)
        #expect(call.path == ["welcome", "manual"])
        #expect(call.promptNames.contains("transferring"))
        #expect(call.transfer == "answered")
        #expect(call.transferredTo == "8001")
        #expect(call.disposition == Disposition.transferred.rawValue)
        #expect(call.callerRetrieved == 0)
        #expect(call.disconnectReason == "local")
    }

    /// Busy, ringing out, or no flash transfer at the exchange (no dial tone after the flash):
    /// the caller is taken back, told the desk is busy, and may leave a message for a call-back.
    @Test(arguments: [("busy", "busy", 1), ("no_answer", "no_answer", 1), ("flash_off", "no_dial_tone", 0)])
    func aDeskThatDoesNotAnswerGivesTheCallerBack(behaviour: String, result: String, retrieved: Int) throws {
        let desk = behaviour == "flash_off" ? #"{"answers": "answer", "flash_transfer": false}"# : #"{"answers": "\#(behaviour)"}"#
        let steps = Rig.manualService + #"""
            , {"do": "wait", "ms": 15000}, {"do": "wait_for_prompt", "timeout_ms": 60000}, {"do": "wait", "ms": 2000},
            {"do": "dtmf", "digits": "1"}, {"do": "wait_for_beep"}, {"do": "say", "text": "请人工座席给我回电话。"}, {"do": "dtmf", "digits": "#"},
            {"do": "wait_for_prompt"}, {"do": "wait", "ms": 800}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000},
            """# + Rig.hangUp
        let out = try Self.run(steps, desk: desk)
        let call = try #require(out.report.calls.first)
        #expect(call.transfer == result)
        #expect(call.transferredTo == nil)
        #expect(call.callerRetrieved == retrieved)
        #expect(call.path == ["welcome", "manual", "desk_busy", "callback_request", "other_services"], "\(call.path)")
        #expect(call.cases.map(\.kind) == [CaseKind.callbackRequest.rawValue])
        #expect(call.disposition == Disposition.caseCreated.rawValue)
    }
}

/// Lines whose exchange offers no flash transfer (`transfer: method: bridge`): the box calls the
/// desk on a free line of its own and bridges the two calls, staying on until one side hangs up.
@Suite(.tags(.system), .skippedInFastRun) struct BridgedTransferTests {
    typealias Rig = SimulationRig

    static func run(_ steps: String, desk: String, lines: Int = 2) throws -> SimulationRig.Outcome {
        try Rig.run(Rig.call(steps, startsAt: Rig.deskOpen, desk: desk, lines: lines)) {
            $0.transferNumber = "8001"
            $0.transferMethod = .bridge
        }
    }

    /// RMS of a stretch of audio, in dBFS (-100 for silence).
    static func level(_ samples: ArraySlice<Int16>) -> Double {
        guard !samples.isEmpty else { return -100 }
        let power = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)
        return power > 0 ? 10 * log10(power / (32768.0 * 32768.0)) : -100
    }

    /// The desk answers on line 1 and speaks: the caller hears it through the box, the whole-call
    /// recording holds both sides, and when the desk hangs up the box lets the caller go.
    @Test func theDeskIsBridgedToTheCaller() throws {
        let desk = #"{"answers": "answer", "after_rings": 1, "says": "您好,这里是人工座席,请讲。", "hangs_up_after_ms": 12000}"#
        let out = try Self.run(Rig.manualService + #", {"do": "wait", "ms": 120000}, "# + Rig.hangUp, desk: desk)
        let call = try #require(out.report.calls.first)
        #expect(call.path == ["welcome", "manual"])
        #expect(call.transfer == "answered" && call.disposition == Disposition.transferred.rawValue)
        let bridge = try #require(call.bridge)
        #expect(bridge.line == 1 && bridge.dialled == "8001")
        let answered = try #require(bridge.answeredMs)
        // The desk hung up; the box then hung up on the caller, before the caller's script did.
        let hungUp = try #require(call.boxHungUpMs)
        // (It speaks for about 3 s, waits 12 s, and the loop drop takes its debounce to count.)
        #expect(hungUp > answered + 12_000 && hungUp < answered + 20_000, "answered \(answered), caller let go \(hungUp)")
        #expect(call.farEndHungUpMs == nil)
        // The desk's words reached the caller: the line is loud after the answer.
        let heard = try WAVFile.read(try #require(call.heardWAV))
        let bridged = SampleClock.samples(ms: answered - (call.answeredMs ?? 0) + 500)
        #expect(Self.level(heard[bridged..<min(heard.count, bridged + SampleClock.samples(ms: 3000))]) > -40)
        // Both sides are in the whole-call recording: the box's channel carries the desk.
        let stereo = try WAVFile.read(try #require(call.callRecording), channels: 2)
        let boxSide = stride(from: 1, to: stereo.count, by: 2).map { stereo[$0] }
        let fromAnswer = SampleClock.samples(ms: answered - (call.answeredMs ?? 0) + 500)
        #expect(Self.level(boxSide[min(boxSide.count, fromAnswer)..<min(boxSide.count, fromAnswer + SampleClock.samples(ms: 3000))]) > -40)
    }

    /// The caller hanging up lets the desk's line go too.
    @Test func theCallerHangingUpReleasesTheDeskLine() throws {
        let out = try Self.run(Rig.manualService + #", {"do": "wait", "ms": 20000}, "# + Rig.hangUp, desk: #"{"answers": "answer", "after_rings": 1}"#)
        let call = try #require(out.report.calls.first)
        let bridge = try #require(call.bridge)
        let callerGone = try #require(call.farEndHungUpMs)
        let released = try #require(bridge.boxHungUpMs)
        #expect(released >= callerGone && released < callerGone + 3000, "caller gone \(callerGone), desk line released \(released)")
    }

    /// A busy desk, or no free line to call it on: the caller stays with the box and is offered
    /// a call-back message, as with a flash transfer.
    @Test(arguments: [("busy", 2, "busy"), ("answer", 1, "congestion")])
    func anUnreachableDeskGivesTheCallerBack(answers: String, lines: Int, result: String) throws {
        let steps = Rig.manualService + #"""
            , {"do": "wait", "ms": 8000}, {"do": "wait_for_prompt", "timeout_ms": 60000}, {"do": "wait", "ms": 2000},
            {"do": "dtmf", "digits": "1"}, {"do": "wait_for_beep"}, {"do": "say", "text": "请给我回电话。"}, {"do": "dtmf", "digits": "#"},
            {"do": "wait_for_prompt"}, {"do": "wait", "ms": 800}, {"do": "dtmf", "digits": "1"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000},
            """# + Rig.hangUp
        let out = try Self.run(steps, desk: #"{"answers": "\#(answers)"}"#, lines: lines)
        let call = try #require(out.report.calls.first)
        #expect(call.transfer == result)
        #expect(call.bridge == nil)
        #expect(call.path == ["welcome", "manual", "desk_busy", "callback_request", "other_services"], "\(call.path)")
        #expect(call.cases.map(\.kind) == [CaseKind.callbackRequest.rawValue])
    }
}
