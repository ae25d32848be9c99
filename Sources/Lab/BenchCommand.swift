import ArgumentParser
import Box
import DSP
import Foundation
import LineDriver
import LineSimulator
import SystemSupport

package struct BenchCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print figures (docs/BENCHMARKS.md and docs/RELIABILITY.md record them): lines, echo, uplink, flood, callbacks, fleet, firmware.",
        subcommands: [Lines.self, EchoBench.self, UplinkBench.self, FloodBench.self, CallbackBench.self, FleetBench.self, FirmwareBench.self])

    package struct Lines: ParsableCommand {
        package init() {}

        package static let configuration = CommandConfiguration(
            abstract: "Simulated callers on N lines: speech, DTMF, prompts, stereo recording, every detector on.",
            discussion: """
            Virtual mode runs line time as fast as the CPU allows and reports the CPU the box's channels
            use per channel-hour, and the ratio to a bare SpanDSP loop (dtmf_rx and a power meter) over
            the same audio. --realtime paces frames by the monotonic clock and reports deadline misses,
            frame-start lateness and memory.
            """)

        @Option(help: "Lines (simulated exchange ports).") package var lines = 4
        @Option(help: "Seconds of line time.") package var seconds = 60
        @Flag(help: "Pace frames in real time (SCHED_FIFO and mlockall when permitted).") package var realtime = false
        @Flag(help: "Keep the other core busy with a spinning thread meanwhile.") package var backgroundLoad = false
        @Option(help: "Keep the recordings in this directory (default: a temporary one, removed).") package var record: String?
        @Flag(help: "Print JSON.") package var json = false

        package func validate() throws {
            guard (1...480).contains(lines) else { throw ValidationError("--lines must be 1-480") }
            guard (1...86_400).contains(seconds) else { throw ValidationError("--seconds must be 1-86400") }
        }

        package func run() throws {
            let report = try LineBench(lines: lines, seconds: seconds, realtime: realtime, backgroundLoad: backgroundLoad, recordInto: record).run()
            if json { try printJSON(report) } else { print(report.text) }
        }
    }
}

/// What `bench lines` measured.
package struct LineBenchReport: Codable {
    package var lines: Int
    package var seconds: Int
    package var mode: String
    package var callsAnswered: Int
    package var callsEnded: Int
    package var digits: Int
    package var recordedMB: Double
    package var lostSamples: Int
    package var lostEvents: Int
    package var channelCPUSeconds: Double
    package var cpuSecondsPerChannelHour: Double
    package var referenceCPUSecondsPerChannelHour: Double?
    package var ratioToReference: Double?
    package var processCPUSeconds: Double
    package var frames: Int?
    package var deadlineMisses: Int?
    package var latenessP50Micros: Int?
    package var latenessP99Micros: Int?
    package var latenessMaxMicros: Int?
    package var processingMaxMicros: Int?
    package var rssMB: Double
    package var peakRSSMB: Double
    package var warnings: [String]

    package var text: String {
        var out = ["lines \(lines), \(seconds) s of line time, \(mode)",
                   "calls: \(callsAnswered) answered, \(callsEnded) ended; \(digits) digits; recordings \(String(format: "%.1f", recordedMB)) MB, \(lostSamples) samples lost; \(lostEvents) events lost",
                   String(format: "box channels: %.3f s CPU = %.2f s per channel-hour", channelCPUSeconds, cpuSecondsPerChannelHour)]
        if let reference = referenceCPUSecondsPerChannelHour, let ratio = ratioToReference {
            out.append(String(format: "bare SpanDSP reference (dtmf_rx + power meter, same audio): %.2f s per channel-hour; ratio %.1f", reference, ratio))
        }
        out.append(String(format: "process CPU %.2f s (simulated exchange included)", processCPUSeconds))
        if let frames, let misses = deadlineMisses {
            out.append("frames \(frames), deadline misses \(misses), frame-start lateness p50 \(latenessP50Micros ?? 0) µs, p99 \(latenessP99Micros ?? 0) µs, max \(latenessMaxMicros ?? 0) µs; longest frame \(processingMaxMicros ?? 0) µs")
        }
        out.append(String(format: "RSS %.1f MB (peak %.1f MB)", rssMB, peakRSSMB))
        out += warnings.map { "warning: \($0)" }
        return out.joined(separator: "\n")
    }
}

/// The benchmark itself, also used by the kill tests of the recorder.
package struct LineBench {
    package var lines: Int
    package var seconds: Int
    package var realtime: Bool
    package var backgroundLoad: Bool
    package var recordInto: String?

    package func run() throws -> LineBenchReport {
        let speech = try Espeak.speak("市民可以通过该热线向政府部门提出建议、意见或进行投诉、举报等事项,我们会认真记录并及时处理。")
        let greeting = try Espeak.speak("欢迎致电政府热线,选择人工服务请按一,自动服务请按二。选择市长信箱留言请按一,自动投诉举报请按二。")
        let directory = recordInto ?? FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if recordInto == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let callerWAV = "\(directory)/caller-speech.wav"
        try WAVFile.write(speech, to: callerWAV)

        let exchange = SimulatedExchange(lines: lines)
        let script: [CallerAction] = [
            .waitForPrompt(timeoutMs: 3000), .wait(ms: 1500), .dtmf("2", .init()),
            .play(wav: callerWAV), .dtmf("12345#", .init()), .wait(ms: 800),
            .play(wav: callerWAV), .dtmf("0#", .init()), .wait(ms: 500),
            .play(wav: callerWAV), .hangUp(.loopDrop),
        ]
        exchange.traffic = { line, now in
            (SimulatedCall(callerID: CallerID(standard: .bell202, format: .mdmf, number: "1380000\(1000 + line)"), script: script,
                           impairments: LineImpairments(attenuationDB: 3, noiseDBm0: -60, echoDelayMs: 8, echoReturnLossDB: 15)),
             500 + (line * 37 + now / 8000) % 900)
        }
        let loop = FrameLoop(backend: exchange, config: ChannelConfig())
        loop.measuresChannelCPU = true
        let recorder = CallRecorder()
        let responder = BenchResponder(loop: loop, recorder: recorder, prompt: PromptAudio(name: "greeting", samples: greeting), directory: directory)
        let spinning = BackgroundLoad(enabled: backgroundLoad)
        defer { spinning.stop() }
        let cpuBefore = Self.processCPUSeconds()
        var warnings: [String] = []
        let frames = seconds * 1000 / LineFrame.milliseconds

        // Recordings are stopped while the frames still run, so every ring is handed back.
        let stopAt = frames - 10
        if realtime {
            let rt = loop.start(realTime: true)
            warnings += [rt.schedFIFO, rt.memoryLocked].compactMap { $0 }
            var stopped = false
            while loop.frame < frames {
                if !stopped && loop.frame >= stopAt {
                    stopped = true
                    for channel in loop.channels { channel.commands.push(.stopRecording(.call)) }
                }
                responder.poll()
                usleep(5000)
            }
            loop.stop()
        } else {
            for f in 0..<frames {
                if f == stopAt { for channel in loop.channels { channel.commands.push(.stopRecording(.call)) } }
                loop.step()
                responder.poll()
                // Virtual time outruns the writer thread; drain the rings every second of line time.
                if f % 50 == 0 { recorder.pass() }
            }
        }
        responder.poll()
        recorder.shutdown()
        let processCPU = Self.processCPUSeconds() - cpuBefore

        let channelHours = Double(lines * seconds) / 3600
        let channelCPU = Double(loop.channelCPUNanos) / 1e9
        var referencePerHour: Double?
        if !realtime {
            // The same caller audio the lines carried, through the bare SpanDSP loop.
            let reference = SpanDSPReference()
            var audio = speech
            if let dtmf = try? DSPSelfTest.dtmfBurst("12345#0#") { audio += dtmf }
            let start = FrameLoop.threadCPUNanos()
            var done = 0
            audio.withUnsafeBufferPointer { all in
                while done < lines * seconds * SampleClock.rate {
                    for f in 0..<(all.count / LineFrame.samples) {
                        reference.process(UnsafeBufferPointer(rebasing: all[(f * LineFrame.samples)..<((f + 1) * LineFrame.samples)]))
                    }
                    done += all.count
                }
            }
            referencePerHour = Double(FrameLoop.threadCPUNanos() - start) / 1e9 / (Double(done) / Double(SampleClock.rate) / 3600)
        }
        let memory = Self.memoryMB()
        let timing = loop.timing
        return LineBenchReport(
            lines: lines, seconds: seconds, mode: realtime ? "real time" : "virtual time",
            callsAnswered: responder.answered, callsEnded: responder.ended, digits: responder.digits,
            recordedMB: Double(responder.recordedBytes) / 1e6, lostSamples: responder.lostSamples,
            lostEvents: loop.channels.reduce(0) { $0 + $1.lostEvents },
            channelCPUSeconds: channelCPU, cpuSecondsPerChannelHour: channelCPU / channelHours,
            referenceCPUSecondsPerChannelHour: referencePerHour,
            ratioToReference: referencePerHour.map { channelCPU / channelHours / $0 },
            processCPUSeconds: processCPU,
            frames: realtime ? timing.frames : nil, deadlineMisses: realtime ? timing.deadlineMisses : nil,
            latenessP50Micros: realtime ? timing.latenessMicros(percentile: 0.5) : nil,
            latenessP99Micros: realtime ? timing.latenessMicros(percentile: 0.99) : nil,
            latenessMaxMicros: realtime ? timing.maxLatenessMicros : nil,
            processingMaxMicros: realtime ? timing.maxProcessingMicros : nil,
            rssMB: memory.rss, peakRSSMB: memory.peak, warnings: warnings)
    }

    package static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// VmRSS and VmHWM from /proc/self/status, in MB.
    package static func memoryMB() -> (rss: Double, peak: Double) {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Double {
            let line = status.split(separator: "\n").first { $0.hasPrefix(name) } ?? ""
            return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
        return (field("VmRSS:"), field("VmHWM:"))
    }
}

/// A thread that spins on the other core, to show the frame thread keeps its deadlines anyway.
package final class BackgroundLoad: @unchecked Sendable {
    // Unchecked: one flag, written once by `stop`.
    private nonisolated(unsafe) var running = true

    package init(enabled: Bool) {
        guard enabled else { running = false; return }
        Thread.detachNewThread { [self] in
            var x = 0.0
            while running { x = x * 1.0000001 + 1 }
            _ = x
        }
    }

    package func stop() { running = false }
}
