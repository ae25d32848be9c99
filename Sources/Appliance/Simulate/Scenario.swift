import DSP
import Foundation
import LineDriver

/// A simulation: lines, callers with their scripts, and what the central office does meanwhile.
/// The JSON format is documented in docs/SIMULATE.md.
struct Scenario: Decodable {
    var lines: Int?
    var calls: [Call]
    var central: [CentralAction]?
    /// Give up this long after the last call started.
    var maxCallMs: Int?

    struct Call: Decodable {
        var line: Int
        var atMs: Int
        var callerID: CallerIDSpec?
        var impairments: Impairments?
        var script: [Step]

        enum CodingKeys: String, CodingKey { case line, atMs = "at_ms", callerID = "caller_id", impairments, script }
    }

    struct CallerIDSpec: Decodable {
        var number: String?
        var name: String?
        var standard: CallerIDStandard?
        var absent: CallerIDAbsence?
    }

    struct Impairments: Decodable {
        var attenuationDB: Double?
        var noiseDBm0: Double?
        var echoDelayMs: Int?
        var echoReturnLossDB: Double?

        enum CodingKeys: String, CodingKey {
            case attenuationDB = "attenuation_db", noiseDBm0 = "noise_dbm0", echoDelayMs = "echo_delay_ms", echoReturnLossDB = "echo_return_loss_db"
        }
    }

    /// One caller action: `{"do": "dtmf", "digits": "2"}` and so on.
    struct Step: Decodable {
        var action: String
        var ms: Int?
        var timeoutMs: Int?
        var hz: Int?
        var digits: String?
        var levelDBm0: Int?
        var twistDB: Int?
        var onMs: Int?
        var offMs: Int?
        var text: String?
        var wav: String?
        var tiff: String?
        var pages: Int?
        var how: HangUpMode?
        /// For `dtmf_case_number`: which case of this scenario (0 = the first created).
        var caseIndex: Int?
        /// For `dtmf_case_number`: key it with one digit wrong.
        var mistype: Bool?

        enum CodingKeys: String, CodingKey {
            case action = "do", ms, timeoutMs = "timeout_ms", hz, digits, levelDBm0 = "level_dbm0", twistDB = "twist_db", onMs = "on_ms",
                 offMs = "off_ms", text, wav, tiff, pages, how, caseIndex = "case", mistype
        }
    }

    struct CentralAction: Decodable {
        var atMs: Int
        var setStatus: SetStatus

        struct SetStatus: Decodable {
            var caseIndex: Int
            var status: String
            enum CodingKeys: String, CodingKey { case caseIndex = "case", status }
        }

        enum CodingKeys: String, CodingKey { case atMs = "at_ms", setStatus = "set_status" }
    }

    static func load(_ path: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("\(path): cannot read the scenario") }
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
    func simulatedCall(_ index: Int, directory: String, caseNumbers: [String], listens: Bool) throws -> SimulatedCall {
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
    func script(of call: Int, directory: String, caseNumbers: [String]) throws -> [CallerAction] {
        var out: [CallerAction] = []
        for (i, step) in calls[call].script.enumerated() {
            let at = "calls[\(call)].script[\(i)]"
            func need<T>(_ v: T?, _ name: String) throws -> T {
                guard let v else { throw CommandFailure("\(at): \"\(step.action)\" needs \"\(name)\"") }
                return v
            }
            let sending = DTMFSendingParameters(levelDBm0: step.levelDBm0 ?? -10, twistDB: step.twistDB ?? 0, onMs: step.onMs ?? 100, offMs: step.offMs ?? 100)
            switch step.action {
            case "wait": out.append(.wait(ms: try need(step.ms, "ms")))
            case "wait_for_prompt": out.append(.waitForPrompt(timeoutMs: step.timeoutMs ?? 15_000))
            case "wait_for_silence": out.append(.waitForSilence(ms: step.ms ?? 1500, timeoutMs: step.timeoutMs ?? 60_000))
            case "wait_for_beep": out.append(.waitForBeep(hz: step.hz ?? 1000, timeoutMs: step.timeoutMs ?? 60_000))
            case "dtmf": out.append(.dtmf(try need(step.digits, "digits"), sending))
            case "dtmf_case_number":
                let index = step.caseIndex ?? 0
                guard index < caseNumbers.count else { throw CommandFailure("\(at): no case \(index) has been created by then") }
                var digits = Array(caseNumbers[index])
                if step.mistype == true { digits[3] = digits[3] == "9" ? "0" : Character(String((digits[3].wholeNumberValue ?? 0) + 1)) }
                out.append(.dtmf(String(digits), sending))
            case "say":
                let wav = "\(directory)/say-\(call)-\(i).wav"
                try WAVFile.write(try Espeak.speak(try need(step.text, "text")), to: wav)
                out.append(.play(wav: wav))
            case "play": out.append(.play(wav: try need(step.wav, "wav")))
            case "send_fax":
                if let tiff = step.tiff {
                    out.append(.sendFax(tiff: tiff))
                } else {
                    let tiff = "\(directory)/fax-\(call)-\(i).tif"
                    try FaxDocument.write((1...max(1, step.pages ?? 1)).map { FaxPage.testChart(number: $0) }, to: tiff)
                    out.append(.sendFax(tiff: tiff))
                }
            case "receive_fax": out.append(.receiveFax(into: "\(directory)/received-\(call)-\(i).tif"))
            case "hang_up": out.append(.hangUp(step.how ?? .loopDrop))
            default: throw CommandFailure("\(at): unknown action \"\(step.action)\"")
            }
        }
        return out
    }
}
