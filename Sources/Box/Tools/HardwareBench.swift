import ArgumentParser
import Foundation
import LineDriver
import SystemSupport

/// `appliance bench hardware`: the configured card or codec's frame loop alone, no call
/// handling, to see whether the device keeps line time before a box goes live on it: how long
/// each frame's read and write block, how line time compares with the wall clock, xruns, what
/// the lines hear, and the signalling seen.
package struct HardwareBench: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "hardware",
        abstract: "Time the configured hardware's frame reads and writes, and report levels and signalling.",
        discussion: """
        Uses the `hardware:` section of the config (docs/HARDWARE.md) and leaves every line on hook.
        A device that keeps time reads one 20 ms frame per 20 ms of wall clock (ratio 1.00) with no
        xruns. --tone sends a 1 kHz tone at -20 dBFS meanwhile, for a loopback or a meter.
        """)

    @Option(help: "Config file with a hardware: section.") package var config: String
    @Option(help: "Seconds of line time to run.") package var seconds = 10
    @Flag(help: "Send a 1 kHz tone at -20 dBFS on every line.") package var tone = false
    @Flag(help: "Print JSON.") package var json = false

    package struct Report: Codable {
        package struct Line: Codable {
            package var rmsDBFS: Double
            package var peak: Int
            package var events: [String]
        }
        package var frames: Int
        package var wallSeconds: Double
        package var lineToWall: Double
        package var receiveMs: [String: Double]
        package var transmitMs: [String: Double]
        /// Frames the backend slipped and recovered (ALSA xruns, DAHDI short reads or failed writes).
        package var slips: Int
        package var backendKind: LineBackendKind
        package var lines: [Line]

        package var text: String {
            func ms(_ d: [String: Double]) -> String { String(format: "p50 %.2f, p99 %.2f, max %.2f ms", d["p50"] ?? 0, d["p99"] ?? 0, d["max"] ?? 0) }
            var out = [String(format: "%d frames (%.2f s of line time) in %.2f s of wall clock: ratio %.2f", frames, Double(frames) * 0.02, wallSeconds, lineToWall),
                       "receive blocked \(ms(receiveMs)); transmit blocked \(ms(transmitMs))"]
            out.append("\(backendKind.slipsAre ?? "slips"): \(slips)")
            for (i, line) in lines.enumerated() {
                out.append(String(format: "line %d: level %.1f dBFS RMS, peak %d; events: %@", i + 1, line.rmsDBFS, line.peak,
                                  line.events.isEmpty ? "none" : line.events.joined(separator: ", ")))
            }
            return out.joined(separator: "\n")
        }
    }

    package func validate() throws {
        guard (1...3600).contains(seconds) else { throw ValidationError("--seconds must be 1-3600") }
    }

    package func run() throws {
        let settings = try BoxConfig.forCommand(config)
        let opened: LineBackend?
        do { opened = try BoxRuntime.openHardware(settings.hardware, log: { print($0) }) } catch { throw CommandFailure("\(error)") }
        guard let backend = opened else {
            throw CommandFailure("\(config): no hardware: section; the bench times a card or codec, not simulated lines")
        }
        let report = Self.measure(backend, seconds: seconds, tone: tone)
        if json { try printJSON(report) } else { print(report.text) }
    }

    package static func measure(_ backend: LineBackend, seconds: Int, tone: Bool) -> Report {
        let channels = backend.channelCount
        let rx = FrameBuffers(channels: channels)
        let tx = FrameBuffers(channels: channels)
        if tone {
            // 1 kHz at 8 kHz is eight samples per cycle: one frame holds twenty whole cycles.
            for c in 0..<channels {
                for i in 0..<LineFrame.samples { tx[c][i] = Int16(3277 * sin(2 * Double.pi * Double(i) / 8)) }
            }
        }
        let frames = seconds * 1000 / LineFrame.milliseconds
        var receive = [Double](repeating: 0, count: frames)
        var transmit = [Double](repeating: 0, count: frames)
        var energy = [Double](repeating: 0, count: channels)
        var peaks = [Int](repeating: 0, count: channels)
        var events = [[String]](repeating: [], count: channels)
        let start = DispatchTime.now().uptimeNanoseconds
        for f in 0..<frames {
            let t0 = DispatchTime.now().uptimeNanoseconds
            backend.receive(into: rx) { c, e in events[c].append(String(format: "%.2f s %@", Double(f) * 0.02, "\(e)")) }
            let t1 = DispatchTime.now().uptimeNanoseconds
            backend.transmit(tx)
            let t2 = DispatchTime.now().uptimeNanoseconds
            receive[f] = Double(t1 - t0) / 1e6
            transmit[f] = Double(t2 - t1) / 1e6
            // A device that does not pace itself (a file) runs as fast as it goes.
            for c in 0..<channels {
                for s in rx[c] {
                    energy[c] += Double(s) * Double(s)
                    peaks[c] = max(peaks[c], abs(Int(s)))
                }
            }
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        func percentiles(_ values: [Double]) -> [String: Double] {
            let sorted = values.sorted()
            return ["p50": sorted[sorted.count / 2], "p99": sorted[min(sorted.count - 1, sorted.count * 99 / 100)], "max": sorted.last ?? 0]
        }
        let samples = Double(frames * LineFrame.samples)
        return Report(frames: frames, wallSeconds: wall, lineToWall: Double(frames) * 0.02 / wall,
                      receiveMs: percentiles(receive), transmitMs: percentiles(transmit),
                      slips: backend.slips, backendKind: backend.kind,
                      lines: (0..<channels).map { c in
                          Report.Line(rmsDBFS: 10 * log10(max(energy[c] / samples, 1e-3) / (32768.0 * 32768.0)), peak: peaks[c], events: events[c])
                      })
    }
}
