import Box
import DSP
import HotlineModel
import Foundation
import LineDriver
import LineSimulator
import SystemSupport

/// A simulation: lines, callers with their scripts, and what the central office does meanwhile.
/// The JSON format is documented in docs/SIMULATE.md.
package struct Scenario: Decodable {
    package var lines: Int?
    package var calls: [Call]
    package var central: [CentralAction]?
    /// Give up this long after the last call started.
    package var maxCallMs: Int?
    /// The wall-clock moment line time 0 stands for, so the service calendar answers the same
    /// on every run; without it, the moment the run starts.
    package var startsAt: Date?
    /// The desk the box's transfers reach, the same from every line.
    package var desk: Desk?
    /// How the numbers the box calls back behave.
    package var callees: [Callee]?
    /// The lines are one hunt group, as a district's published number is: each call takes the
    /// first free line at its moment (its `line` is not used), and a call that finds every line
    /// busy hears busy tone and is counted, not placed.
    package var huntGroup = false

    package enum CodingKeys: String, CodingKey {
        case lines, calls, central, maxCallMs = "max_call_ms", startsAt = "starts_at", desk, callees, huntGroup = "hunt_group"
    }

    /// A number the box may call, and how it answers: for `times` attempts (nil: every one),
    /// after which the next entry for the same number applies.
    package struct Callee: Decodable {
        package enum Behaviour: String, Decodable {
            case answer, busy, noAnswer = "no_answer", reject, faxReceiver = "fax_receiver", answeringMachine = "answering_machine"
        }
        package var number: String
        package var behaviour: Behaviour
        package var script: [Step]
        package var times: Int?
        package var afterRings: Int

        package enum CodingKeys: String, CodingKey { case number, behaviour, script, times, afterRings = "after_rings" }

        package init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            number = try c.decode(String.self, forKey: .number)
            guard (1...32).contains(number.count), number.allSatisfy({ "0123456789".contains($0) }) else {
                throw DecodingError.dataCorruptedError(forKey: .number, in: c, debugDescription: "must be 1 to 32 digits")
            }
            behaviour = try c.decode(Behaviour.self, forKey: .behaviour)
            script = try c.decodeIfPresent([Step].self, forKey: .script) ?? []
            times = try c.decodeIfPresent(Int.self, forKey: .times)
            if let times, !(1...100).contains(times) {
                throw DecodingError.dataCorruptedError(forKey: .times, in: c, debugDescription: "must be 1 to 100 attempts")
            }
            afterRings = try c.decodeIfPresent(Int.self, forKey: .afterRings) ?? 2
            guard (1...20).contains(afterRings) else {
                throw DecodingError.dataCorruptedError(forKey: .afterRings, in: c, debugDescription: "must be 1 to 20 rings")
            }
        }
    }

    /// How the number a transfer dials behaves, and whether the exchange offers flash transfer.
    package struct Desk: Decodable {
        package enum Answer: String, Decodable { case answer, busy, noAnswer = "no_answer", congestion }
        package var answers: Answer
        package var afterRings = 2
        /// What the desk says when it picks up; silent without it.
        package var says: String?
        package var flashTransfer = true
        /// The desk puts its handset down this long after answering; it stays on without it.
        package var hangsUpAfterMs: Int?

        package enum CodingKeys: String, CodingKey {
            case answers, afterRings = "after_rings", says, flashTransfer = "flash_transfer", hangsUpAfterMs = "hangs_up_after_ms"
        }

        package init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            answers = try c.decode(Answer.self, forKey: .answers)
            afterRings = try c.decodeIfPresent(Int.self, forKey: .afterRings) ?? afterRings
            guard (1...20).contains(afterRings) else {
                throw DecodingError.dataCorruptedError(forKey: .afterRings, in: c, debugDescription: "must be 1 to 20 rings")
            }
            says = try c.decodeIfPresent(String.self, forKey: .says)
            flashTransfer = try c.decodeIfPresent(Bool.self, forKey: .flashTransfer) ?? flashTransfer
            hangsUpAfterMs = try c.decodeIfPresent(Int.self, forKey: .hangsUpAfterMs)
            if let ms = hangsUpAfterMs, !(1000...3_600_000).contains(ms) {
                throw DecodingError.dataCorruptedError(forKey: .hangsUpAfterMs, in: c, debugDescription: "must be 1000 to 3600000 ms")
            }
        }

        /// The exchange's callee; `says` is spoken by espeak-ng into `directory`.
        package func behaviour(directory: String) throws -> CalleeBehaviour {
            switch answers {
            case .busy: return .busy
            case .congestion: return .congestion
            case .noAnswer: return .noAnswer
            case .answer:
                var script: [CallerAction] = []
                if let says {
                    let wav = "\(directory)/desk-says.wav"
                    try WAVFile.write(try Espeak.speak(says), to: wav)
                    script.append(.play(wav: wav))
                }
                let end: [CallerAction] = hangsUpAfterMs.map { [.wait(ms: $0), .hangUp(.loopDrop)] } ?? [.wait(ms: 30 * 60_000)]
                return .answer(afterRings: afterRings, script: script + end)
            }
        }
    }

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lines = try c.decodeIfPresent(Int.self, forKey: .lines)
        calls = try c.decode([Call].self, forKey: .calls)
        central = try c.decodeIfPresent([CentralAction].self, forKey: .central)
        maxCallMs = try c.decodeIfPresent(Int.self, forKey: .maxCallMs)
        desk = try c.decodeIfPresent(Desk.self, forKey: .desk)
        callees = try c.decodeIfPresent([Callee].self, forKey: .callees)
        huntGroup = try c.decodeIfPresent(Bool.self, forKey: .huntGroup) ?? false
        if let text = try c.decodeIfPresent(String.self, forKey: .startsAt) {
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw DecodingError.dataCorruptedError(forKey: .startsAt, in: c,
                                                       debugDescription: "\"\(text)\" is not a moment with its offset, such as 2026-12-04T09:30:00+08:00")
            }
            startsAt = date
        }
    }

    package struct Call: Decodable {
        package var line: Int
        package var atMs: Int
        package var callerID: CallerIDSpec?
        package var impairments: Impairments?
        package var script: [Step]

        package enum CodingKeys: String, CodingKey { case line, atMs = "at_ms", callerID = "caller_id", impairments, script }
    }

    package struct CallerIDSpec: Decodable {
        package var number: String?
        package var name: String?
        package var standard: CallerIDStandard?
        package var absent: CallerIDAbsence?
    }

    package struct Impairments: Decodable {
        package var attenuationDB: Double?
        package var noiseDBm0: Double?
        package var echoDelayMs: Int?
        package var echoReturnLossDB: Double?

        package enum CodingKeys: String, CodingKey {
            case attenuationDB = "attenuation_db", noiseDBm0 = "noise_dbm0", echoDelayMs = "echo_delay_ms", echoReturnLossDB = "echo_return_loss_db"
        }
    }

    /// One caller action: `{"do": "dtmf", "digits": "2"}` and so on. Each action carries
    /// exactly what it needs, checked when the scenario is read: a missing field or an unknown
    /// action is an error at its JSON path, before any call is placed.
    package enum Step: Decodable {
        case wait(ms: Int)
        case waitForPrompt(timeoutMs: Int)
        case waitForSilence(ms: Int, timeoutMs: Int)
        case waitForBeep(hz: Int, timeoutMs: Int)
        case dtmf(String, DTMFSendingParameters)
        /// Key a case created earlier in the run (0 = the first), optionally with one digit wrong.
        case dtmfCaseNumber(caseIndex: Int, mistype: Bool, DTMFSendingParameters)
        /// Speech, spoken by espeak-ng when the call is placed.
        case say(String)
        case play(wav: String)
        /// A TIFF to send, or test-chart pages made for the run.
        case sendFax(tiff: String?, pages: Int)
        case receiveFax
        case hangUp(HangUpMode)

        enum CodingKeys: String, CodingKey {
            case action = "do", ms, timeoutMs = "timeout_ms", hz, digits, levelDBm0 = "level_dbm0", twistDB = "twist_db", onMs = "on_ms",
                 offMs = "off_ms", text, wav, tiff, pages, how, caseIndex = "case", mistype
        }

        package init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func optional<T: Decodable>(_ key: CodingKeys) throws -> T? { try c.decodeIfPresent(T.self, forKey: key) }
            let sending = DTMFSendingParameters(levelDBm0: try optional(.levelDBm0) ?? -10, twistDB: try optional(.twistDB) ?? 0,
                                                onMs: try optional(.onMs) ?? 100, offMs: try optional(.offMs) ?? 100)
            let action = try c.decode(String.self, forKey: .action)
            switch action {
            case "wait": self = .wait(ms: try c.decode(Int.self, forKey: .ms))
            case "wait_for_prompt": self = .waitForPrompt(timeoutMs: try optional(.timeoutMs) ?? 15_000)
            case "wait_for_silence": self = .waitForSilence(ms: try optional(.ms) ?? 1500, timeoutMs: try optional(.timeoutMs) ?? 60_000)
            case "wait_for_beep": self = .waitForBeep(hz: try optional(.hz) ?? 1000, timeoutMs: try optional(.timeoutMs) ?? 60_000)
            case "dtmf": self = .dtmf(try c.decode(String.self, forKey: .digits), sending)
            case "dtmf_case_number": self = .dtmfCaseNumber(caseIndex: try optional(.caseIndex) ?? 0, mistype: try optional(.mistype) ?? false, sending)
            case "say": self = .say(try c.decode(String.self, forKey: .text))
            case "play": self = .play(wav: try c.decode(String.self, forKey: .wav))
            case "send_fax": self = .sendFax(tiff: try optional(.tiff), pages: max(1, try optional(.pages) ?? 1))
            case "receive_fax": self = .receiveFax
            case "hang_up": self = .hangUp(try optional(.how) ?? .loopDrop)
            default:
                throw DecodingError.dataCorruptedError(forKey: .action, in: c, debugDescription: "unknown action \"\(action)\"")
            }
        }
    }

    /// What the central office does at a moment of the run: exactly one action.
    package struct CentralAction: Decodable {
        package var atMs: Int
        package var action: Action

        package enum Action {
            case setStatus(SetStatus)
            case scheduleCallback(ScheduleCallback)
            case cancelCallback(CancelCallback)
        }

        package struct SetStatus: Decodable {
            package var caseIndex: Int
            package var status: String
            package enum CodingKeys: String, CodingKey { case caseIndex = "case", status }
        }

        /// `case` as for `set_status`; `id` defaults to one of the run's own.
        package struct ScheduleCallback: Decodable {
            package var caseIndex: Int
            package var number: String
            package var note: String?
            package var status: CaseStatus?
            package var id: String?
            package var purpose: CallbackPurpose?
            package var attempts: Int?
            package var retryAfterS: Int?
            /// Not tried after this long from its scheduling (default: the config's expiry).
            package var expiresAfterS: Int?
            package enum CodingKeys: String, CodingKey {
                case caseIndex = "case", number, note, status, id, purpose, attempts, retryAfterS = "retry_after_s", expiresAfterS = "expires_after_s"
            }
        }

        /// A call-back scheduled earlier in the run, by its `id`.
        package struct CancelCallback: Decodable {
            package var id: String
        }

        package enum CodingKeys: String, CodingKey {
            case atMs = "at_ms", setStatus = "set_status", scheduleCallback = "schedule_callback", cancelCallback = "cancel_callback"
        }

        package init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            atMs = try c.decode(Int.self, forKey: .atMs)
            var given: [Action] = []
            if let a = try c.decodeIfPresent(SetStatus.self, forKey: .setStatus) { given.append(.setStatus(a)) }
            if let a = try c.decodeIfPresent(ScheduleCallback.self, forKey: .scheduleCallback) { given.append(.scheduleCallback(a)) }
            if let a = try c.decodeIfPresent(CancelCallback.self, forKey: .cancelCallback) { given.append(.cancelCallback(a)) }
            guard given.count == 1 else {
                throw DecodingError.dataCorruptedError(forKey: .atMs, in: c,
                                                       debugDescription: "a central action has exactly one of set_status, schedule_callback, cancel_callback")
            }
            action = given[0]
        }
    }

    /// Every callee on `exchange`, by number, as `callee(_:directory:caseNumbers:)` makes them.
    package func installCallees(on exchange: SimulatedExchange, directory: String) throws {
        for (i, entry) in (callees ?? []).enumerated() {
            do { try exchange.setCallee(callee(i, directory: directory, caseNumbers: []), number: entry.number, times: entry.times) } catch {
                throw CommandFailure("callees[\(i)]: \(error)")
            }
        }
    }

    /// Callee `index` as the exchange plays it: its script resolved as a caller's is, a fax
    /// machine that receives into `directory`, an answering machine that greets, beeps and
    /// records for 90 seconds.
    package func callee(_ index: Int, directory: String, caseNumbers: [String]) throws -> CalleeBehaviour {
        let callee = callees![index]
        switch callee.behaviour {
        case .busy: return .busy
        case .noAnswer: return .noAnswer
        case .reject: return .reject(afterRings: callee.afterRings)
        case .answer:
            let owner = "callees[\(index)]"
            return .answer(afterRings: callee.afterRings, script: try Self.actions(callee.script, named: owner, directory: directory, caseNumbers: caseNumbers))
        case .faxReceiver:
            return .answer(afterRings: callee.afterRings, script: [.receiveFax(into: "\(directory)/callee-\(index)-received.tif")])
        case .answeringMachine:
            let greeting = "\(directory)/answering-machine-greeting.wav", beep = "\(directory)/answering-machine-beep.wav"
            if !FileManager.default.fileExists(atPath: greeting) {
                try WAVFile.write(try Espeak.speak("您好,我现在不方便接听电话,请在提示音后留言。"), to: greeting)
                try WAVFile.write(Self.beep, to: beep)
            }
            return .answer(afterRings: callee.afterRings, script: [.play(wav: greeting), .play(wav: beep), .wait(ms: 90_000), .hangUp(.loopDrop)])
        }
    }

    /// An answering machine's beep: 1 kHz for half a second.
    private static let beep: [Int16] = (0..<SampleClock.rate / 2).map { Int16(8000 * sin(2 * Double.pi * 1000 * Double($0) / Double(SampleClock.rate))) }

    package static func load(_ path: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("\(path): cannot read the scenario") }
        return try parse(data, file: path)
    }

    /// A scenario from its JSON text; errors name `file` and the JSON path.
    package static func parse(_ data: Data, file path: String) throws -> Scenario {
        do {
            return try JSONDecoder().decode(Scenario.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw CommandFailure("\(path): \(Self.where_(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw CommandFailure("\(path): \(Self.where_(context.codingPath)): missing \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw CommandFailure("\(path): \(Self.where_(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
    }

    private static func where_(_ path: [CodingKey]) -> String {
        path.isEmpty ? "top level" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    /// Call `index` as the simulated exchange places it: caller ID, script, line impairments.
    package func simulatedCall(_ index: Int, directory: String, caseNumbers: [String], listens: Bool) throws -> SimulatedCall {
        let call = calls[index]
        return SimulatedCall(callerID: call.callerID.map(Self.callerID), script: try script(of: index, directory: directory, caseNumbers: caseNumbers),
                             impairments: Self.impairments(call.impairments), listens: listens)
    }

    private static func callerID(_ spec: Scenario.CallerIDSpec) -> CallerID {
        let standard = spec.standard ?? .bell202
        return CallerID(standard: standard, format: standard == .bell202 ? .mdmf : nil, number: spec.number, name: standard == .dtmf ? nil : spec.name,
                        dateTime: standard == .dtmf ? nil : CallerIDDateTime(month: 11, day: 29, hour: 9, minute: 0),
                        numberAbsence: spec.number == nil ? (spec.absent ?? .unavailable) : nil)
    }

    private static func impairments(_ i: Scenario.Impairments?) -> LineImpairments {
        LineImpairments(attenuationDB: i?.attenuationDB ?? 3, noiseDBm0: i?.noiseDBm0 ?? -65, echoDelayMs: i?.echoDelayMs ?? 0,
                        echoReturnLossDB: i?.echoReturnLossDB)
    }

    /// The caller's script as the exchange runs it, with scenario-relative names resolved:
    /// `say` is spoken by espeak-ng into `directory`, `send_fax` with `pages` makes test charts,
    /// `dtmf_case_number` keys a case created earlier in the run.
    package func script(of call: Int, directory: String, caseNumbers: [String]) throws -> [CallerAction] {
        try Self.actions(calls[call].script, named: "calls[\(call)]", directory: directory, caseNumbers: caseNumbers)
    }

    /// Steps as the exchange runs them; `owner` names them in errors and in the files made.
    package static func actions(_ steps: [Step], named owner: String, directory: String, caseNumbers: [String]) throws -> [CallerAction] {
        let call = owner.filter { $0.isLetter || $0.isNumber }
        var out: [CallerAction] = []
        for (i, step) in steps.enumerated() {
            switch step {
            case .wait(let ms): out.append(.wait(ms: ms))
            case .waitForPrompt(let timeout): out.append(.waitForPrompt(timeoutMs: timeout))
            case .waitForSilence(let ms, let timeout): out.append(.waitForSilence(ms: ms, timeoutMs: timeout))
            case .waitForBeep(let hz, let timeout): out.append(.waitForBeep(hz: hz, timeoutMs: timeout))
            case .dtmf(let digits, let sending): out.append(.dtmf(digits, sending))
            case .dtmfCaseNumber(let index, let mistype, let sending):
                guard index < caseNumbers.count else { throw CommandFailure("\(owner).script[\(i)]: no case \(index) has been created by then") }
                var digits = Array(caseNumbers[index])
                if mistype { digits[3] = digits[3] == "9" ? "0" : Character(String((digits[3].wholeNumberValue ?? 0) + 1)) }
                out.append(.dtmf(String(digits), sending))
            case .say(let text):
                let wav = "\(directory)/say-\(call)-\(i).wav"
                try WAVFile.write(try Espeak.speak(text), to: wav)
                out.append(.play(wav: wav))
            case .play(let wav): out.append(.play(wav: wav))
            case .sendFax(let tiff?, _): out.append(.sendFax(tiff: tiff))
            case .sendFax(nil, let pages):
                let tiff = "\(directory)/fax-\(call)-\(i).tif"
                try FaxDocument.write((1...pages).map { FaxPage.testChart(number: $0) }, to: tiff)
                out.append(.sendFax(tiff: tiff))
            case .receiveFax: out.append(.receiveFax(into: "\(directory)/received-\(call)-\(i).tif"))
            case .hangUp(let how): out.append(.hangUp(how))
            }
        }
        return out
    }
}
