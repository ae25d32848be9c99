import ArgumentParser
import Box
import DSP
import Foundation
import LineDriver
import LineSimulator
import SystemSupport

/// `bench echo`: DTMF keyed over the box's loudest prompt on an echoing line, with the box's
/// echo canceller and without, through a real channel (every detector) and the simulated
/// exchange's hybrid echo; the talk-off of the whole prompt pack; the barge-in latency; and the
/// frame path's cost against bare SpanDSP with the canceller running.
package struct EchoBench: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "echo",
        abstract: "Digits over the box's prompts on an echoing line, with and without the box's echo canceller (docs/BENCHMARKS.md).")

    @Option(help: "Prompt texts to speak the pack from.") package var prompts = "prompts/cmn.yaml"
    @Option(help: "Where the spoken pack is kept (default: a temporary directory).") package var promptCache: String?
    @Option(help: "The canceller's tail, ms.") package var tail = 32
    @Flag(help: "Print JSON.") package var json = false

    package func validate() throws {
        guard (8...128).contains(tail) else { throw ValidationError("--tail must be 8-128 ms") }
    }

    package func run() throws {
        let cache = promptCache ?? FileManager.default.temporaryDirectory.appendingPathComponent("hotline-echo-bench-prompts").path
        let pack = try PromptLibrary.build(source: prompts, into: cache)
        let report = EchoBenchRun(pack: pack, tailMs: tail).run()
        if json { try printJSON(report) } else { print(report.text) }
    }
}

package struct EchoBenchReport: Codable {
    package struct Condition: Codable {
        package var levelDBm0: Int
        package var returnLossDB: Int
        package var echoDelayMs: Int
        package var sent: Int
        package var detectedWithCanceller: Int
        package var falseWithCanceller: Int
        package var detectedWithout: Int
        package var falseWithout: Int
        /// What the box heard, where it was not the digits sent.
        package var heardWithCanceller: String?
        package var heardWithout: String?
        package var bargeInMs: Int?
    }

    package var loudestPrompt: String
    package var loudestPromptDBm0: Double
    package var tailMs: Int
    package var conditions: [Condition]
    package var talkOffSeconds: Double
    package var talkOffWithCanceller: Int
    package var talkOffWithout: Int
    package var pipelineCPUSecondsPerChannelHour: Double
    package var pipelineWithoutCancellerCPUSecondsPerChannelHour: Double
    package var referenceCPUSecondsPerChannelHour: Double
    package var ratioToReference: Double

    package var text: String {
        var lines = ["loudest prompt: \(loudestPrompt) (\(String(format: "%.1f", loudestPromptDBm0)) dBm0 RMS); canceller tail \(tailMs) ms",
                     "digits detected of sent over it (false digits), with the canceller | without; barge-in ms with it:",
                     "level  loss  delay   with      without   barge-in"]
        for c in conditions {
            lines.append(String(format: "%4d  %4d  %5d   %2d/%-2d (%d)  %2d/%-2d (%d)  %@", c.levelDBm0, c.returnLossDB, c.echoDelayMs,
                                c.detectedWithCanceller, c.sent, c.falseWithCanceller, c.detectedWithout, c.sent, c.falseWithout,
                                c.bargeInMs.map(String.init) ?? "-")
                         + [c.heardWithCanceller.map { "  heard with: \($0)" }, c.heardWithout.map { "  heard without: \($0)" }].compactMap { $0 }.joined())
        }
        let all = conditions.reduce(0) { $0 + $1.sent }
        lines.append("all: \(conditions.reduce(0) { $0 + $1.detectedWithCanceller })/\(all) with the canceller, "
                     + "\(conditions.reduce(0) { $0 + $1.detectedWithout })/\(all) without; false digits \(conditions.reduce(0) { $0 + $1.falseWithCanceller }) with, "
                     + "\(conditions.reduce(0) { $0 + $1.falseWithout }) without")
        lines.append("barge-in: max \(conditions.compactMap(\.bargeInMs).max().map(String.init) ?? "-") ms from the caller's first tone sample to the last prompt sample sent")
        lines.append(String(format: "talk-off: %.0f s of every prompt through the echo at each loss and delay: %d false digits with the canceller, %d without",
                            talkOffSeconds, talkOffWithCanceller, talkOffWithout))
        lines.append(String(format: "cost: frame path with the canceller adapting during prompts %.2f s per channel-hour (%.2f s without it); "
                            + "bare SpanDSP (dtmf_rx + power meter) %.3f s; ratio %.1f",
                            pipelineCPUSecondsPerChannelHour, pipelineWithoutCancellerCPUSecondsPerChannelHour, referenceCPUSecondsPerChannelHour, ratioToReference))
        return lines.joined(separator: "\n")
    }
}

/// One run of the bench over a prompt pack.
package struct EchoBenchRun {
    package var pack: PromptLibrary
    package var tailMs: Int

    static let levels = [-15, -20, -25]
    static let losses = [6, 9, 12, 20]
    static let delays = [4, 8, 12, 16]
    static let digits = "1234567890"
    /// The prompt has played this long when the caller starts keying (ms after the answer).
    static let leadMs = 1500

    /// What one call did: the digits the box heard, when the prompt stopped for a digit, the
    /// channel's CPU and the audio it received.
    struct Call {
        var detected = ""
        var bargeInMs: Int?
        var cpuNanos: UInt64 = 0
        var seconds: Double = 0
    }

    package func run() -> EchoBenchReport {
        let speaking = pack.prompts.filter { !$0.key.hasPrefix("digit_") && $0.key != PromptLibrary.beepName }
        let loudest = speaking.max { Level.dBm0(of: $0.value.samples) < Level.dBm0(of: $1.value.samples) }!
        // Long enough for the lead and every digit, whatever the prompt's length.
        let needed = SampleClock.samples(ms: Self.leadMs + Self.digits.count * 200 + 1000)
        let prompt = PromptAudio(name: loudest.key, samples: Array(repeating: loudest.value.samples, count: needed / loudest.value.samples.count + 1).flatMap { $0 })
        var conditions: [EchoBenchReport.Condition] = []
        for level in Self.levels {
            for loss in Self.losses {
                for delay in Self.delays {
                    let keyed = { (cancel: Bool, bargeIn: Bool, digits: String) in
                        Self.call(prompt: prompt, digits: digits, levelDBm0: level, lossDB: loss, delayMs: delay, cancel: cancel ? tailMs : nil, bargeIn: bargeIn)
                    }
                    let with = keyed(true, false, Self.digits), without = keyed(false, false, Self.digits)
                    let hitsWith = Self.hits(Self.digits, with.detected), hitsWithout = Self.hits(Self.digits, without.detected)
                    conditions.append(.init(levelDBm0: level, returnLossDB: loss, echoDelayMs: delay, sent: Self.digits.count,
                                            detectedWithCanceller: hitsWith, falseWithCanceller: with.detected.count - hitsWith,
                                            detectedWithout: hitsWithout, falseWithout: without.detected.count - hitsWithout,
                                            heardWithCanceller: with.detected == Self.digits ? nil : with.detected,
                                            heardWithout: without.detected == Self.digits ? nil : without.detected,
                                            bargeInMs: keyed(true, true, "5").bargeInMs))
                }
            }
        }
        // Talk-off: the whole pack, one prompt after another, with nobody keying.
        let everything = PromptAudio(name: "pack", samples: speaking.keys.sorted().flatMap { speaking[$0]!.samples })
        var talkOff = (with: 0, without: 0)
        var cpu: UInt64 = 0
        var cpuWithout: UInt64 = 0
        var seconds = 0.0
        for loss in Self.losses {
            for delay in Self.delays {
                let with = Self.call(prompt: everything, digits: "", levelDBm0: -20, lossDB: loss, delayMs: delay, cancel: tailMs, bargeIn: false)
                talkOff.with += with.detected.count
                let without = Self.call(prompt: everything, digits: "", levelDBm0: -20, lossDB: loss, delayMs: delay, cancel: nil, bargeIn: false)
                talkOff.without += without.detected.count
                cpuWithout += without.cpuNanos
                cpu += with.cpuNanos
                seconds += with.seconds
            }
        }
        let reference = Self.referenceCPUSeconds(everything.samples, seconds: seconds)
        let pipeline = Double(cpu) / 1e9
        return EchoBenchReport(loudestPrompt: loudest.key, loudestPromptDBm0: Level.dBm0(of: loudest.value.samples), tailMs: tailMs,
                               conditions: conditions, talkOffSeconds: seconds, talkOffWithCanceller: talkOff.with,
                               talkOffWithout: talkOff.without, pipelineCPUSecondsPerChannelHour: pipeline / (seconds / 3600),
                               pipelineWithoutCancellerCPUSecondsPerChannelHour: Double(cpuWithout) / 1e9 / (seconds / 3600),
                               referenceCPUSecondsPerChannelHour: reference / (seconds / 3600), ratioToReference: pipeline / reference)
    }

    /// A call on a line with the given echo: the box plays `prompt` from the answer and the
    /// caller keys `digits` from `leadMs` after it.
    static func call(prompt: PromptAudio, digits: String, levelDBm0: Int, lossDB: Int, delayMs: Int, cancel tailMs: Int?, bargeIn: Bool) -> Call {
        let exchange = SimulatedExchange(lines: 1)
        var config = ChannelConfig()
        config.supervision.silenceTimeoutMs = 0
        config.echoCanceller = EchoCancellerConfig(tailMs: tailMs ?? 32, channels: tailMs == nil ? [] : [0])
        let loop = FrameLoop(backend: exchange, config: config)
        loop.measuresChannelCPU = true
        let sending = DTMFSendingParameters(levelDBm0: levelDBm0)
        let promptMs = SampleClock.ms(prompt.samples.count)
        var script: [CallerAction] = [.wait(ms: leadMs)]
        if !digits.isEmpty { script.append(.dtmf(digits, sending)) }
        script.append(.wait(ms: promptMs + 1000))
        let impairments = LineImpairments(attenuationDB: 0, noiseDBm0: -65, echoDelayMs: delayMs, echoReturnLossDB: Double(lossDB))
        try? exchange.schedule(SimulatedCall(script: script, impairments: impairments), line: 0, atMs: 0)
        let channel = loop.channels[0]
        var result = Call()
        var answeredAt: Int?
        var cpuFrom: UInt64 = 0
        let lastFrame = (12_000 + promptMs + 2000) / LineFrame.milliseconds
        for _ in 0..<lastFrame {
            loop.step()
            while let event = channel.events.pop() {
                switch event.kind {
                case .answered:
                    answeredAt = exchange.activeCall(line: 0)?.answeredAt ?? event.at
                    channel.commands.push(.play(prompt, id: 1, bargeIn: bargeIn))
                    cpuFrom = loop.channelCPUNanos
                case .digit(let d):
                    result.detected.append(d.digit)
                case .playbackFinished(_, let interrupted):
                    if interrupted, let answeredAt { result.bargeInMs = SampleClock.ms(event.at - answeredAt) - leadMs }
                    result.cpuNanos = loop.channelCPUNanos - cpuFrom
                    result.seconds = Double(promptMs) / 1000
                default:
                    break
                }
            }
            // The prompt has ended, or a digit stopped it.
            if result.seconds > 0 { break }
        }
        return result
    }

    /// Digits sent that were heard, in order (the longest common subsequence).
    static func hits(_ sent: String, _ heard: String) -> Int {
        let a = Array(sent), b = Array(heard)
        guard !b.isEmpty else { return 0 }
        var row = [Int](repeating: 0, count: b.count + 1)
        for x in a {
            var previous = 0
            for j in 1...b.count {
                let kept = row[j]
                row[j] = x == b[j - 1] ? previous + 1 : max(row[j], row[j - 1])
                previous = kept
            }
        }
        return row.last ?? 0
    }

    /// Bare SpanDSP over `seconds` of the same audio, CPU seconds.
    static func referenceCPUSeconds(_ all: UnsafeBufferPointer<Int16>, seconds: Double) -> Double {
        let reference = SpanDSPReference()
        let start = FrameLoop.threadCPUNanos()
        var done = 0
        while Double(done) < seconds * Double(SampleClock.rate) {
            for f in 0..<(all.count / LineFrame.samples) {
                reference.process(UnsafeBufferPointer(rebasing: all[(f * LineFrame.samples)..<((f + 1) * LineFrame.samples)]))
            }
            done += all.count
        }
        return Double(FrameLoop.threadCPUNanos() - start) / 1e9
    }
}
