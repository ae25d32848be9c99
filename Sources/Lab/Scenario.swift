import Box
import DSP
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

    /// One caller action: `{"do": "dtmf", "digits": "2"}` and so on.
    package struct Step: Decodable {
        package var action: String
        package var ms: Int?
        package var timeoutMs: Int?
        package var hz: Int?
        package var digits: String?
        package var levelDBm0: Int?
        package var twistDB: Int?
        package var onMs: Int?
        package var offMs: Int?
        package var text: String?
        package var wav: String?
        package var tiff: String?
        package var pages: Int?
        package var how: HangUpMode?
        /// For `dtmf_case_number`: which case of this scenario (0 = the first created).
        package var caseIndex: Int?
        /// For `dtmf_case_number`: key it with one digit wrong.
        package var mistype: Bool?

        package enum CodingKeys: String, CodingKey {
            case action = "do", ms, timeoutMs = "timeout_ms", hz, digits, levelDBm0 = "level_dbm0", twistDB = "twist_db", onMs = "on_ms",
                 offMs = "off_ms", text, wav, tiff, pages, how, caseIndex = "case", mistype
        }
    }

    package struct CentralAction: Decodable {
        package var atMs: Int
        package var setStatus: SetStatus

        package struct SetStatus: Decodable {
            package var caseIndex: Int
            package var status: String
            package enum CodingKeys: String, CodingKey { case caseIndex = "case", status }
        }

        package enum CodingKeys: String, CodingKey { case atMs = "at_ms", setStatus = "set_status" }
    }

    package static func load(_ path: String) throws -> Scenario {
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
