import ArgumentParser
import Box
import Central
import DSP
import Foundation
import HotlineModel
import LocalDB
import NIOSSL
import SystemSupport
import UplinkServer
import UplinkWire

/// `appliance bench uplink`: a district's day of traffic pulled over a simulated leased line.
package struct UplinkBench: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "uplink",
        abstract: "Pull a day of district traffic through a rate-limited link and report bytes and minutes.",
        discussion: """
        Builds a box's data for the day (CDRs, cases, recordings of Mandarin speech from espeak-ng
        over line noise, received faxes, survey answers, fax results, status changes), encodes the
        recordings as the box does in the background, then pulls everything over mutual TLS through
        a relay held to the link's rate in each direction. --speedup raises the relay's rate and
        scales the measured time back, so an hour of link time takes minutes.
        """)

    @Option(help: "Calls in the day.") package var calls = 300
    @Option(help: "Minutes of recordings in the day (half caller messages, half whole-call stereo).") package var recordedMinutes = 100.0
    @Option(help: "Fax pages received in the day.") package var faxPages = 20
    @Option(help: "Link rate, kbit/s each way.") package var kbps = 64.0
    @Option(help: "Run the link this many times faster and scale the time back.") package var speedup = 32.0
    @Option(help: "Keep the box and central directories here (default: a temporary directory, removed).") package var keep: String?

    package func run() throws {
        let root = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("uplink-bench-\(getpid())").path
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: root) } }
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: "\(root)/box/recordings", withIntermediateDirectories: true)
        var config = BoxConfig()
        config.dataDirectory = "\(root)/box"
        let day = try DistrictDay.make(in: config, calls: calls, recordedMinutes: recordedMinutes, faxPages: faxPages)
        print("day: \(day.calls) calls, \(day.cases) cases, \(day.recordings) recordings (\(String(format: "%.1f", day.recordedSeconds / 60)) min, "
              + "\(day.wavBytes) bytes as WAV), \(day.faxPages) fax pages, \(day.changes) changes")

        let tls = try Self.identities(in: root, for: &config)
        let service = try UplinkService(config: config)
        let encodeStart = Date(), cpuStart = LineBench.processCPUSeconds()
        while service.prepareMedia(limit: 64) > 0 {}
        let encodeCPU = LineBench.processCPUSeconds() - cpuStart
        print(String(format: "encoding for the uplink: %.1f s wall, %.1f s CPU (%.0f× faster than real time)",
                     Date().timeIntervalSince(encodeStart), encodeCPU, day.recordedSeconds / max(encodeCPU, 0.001)))

        let runner = try UplinkRunner(service: service)
        defer { runner.stop() }
        let proxy = try LinkProxy(to: runner.port, bytesPerSecond: kbps * 1000 / 8 * speedup)
        defer { proxy.stop() }
        let puller = Puller(tls: tls, into: "\(root)/central")
        let started = Date()
        let report = try Blocking.run { try await puller.pull(box: "https://127.0.0.1:\(proxy.port)") }
        let wall = Date().timeIntervalSince(started)
        try Blocking.run { try await puller.shutdown() }
        let counts = proxy.counts
        let byKind = try mediaBytes(config)
        let linkMinutes = wall * speedup / 60
        let serialMinutes = Double(counts.fromBox) * 8 / (kbps * 1000) / 60
        print("""
            pulled: \(report.changes) changes, \(report.media) media (\(report.mediaBytes) bytes), acked up to \(report.acked)
            on the wire: \(counts.fromBox) bytes from the box, \(counts.toBox) bytes to it (TLS, HTTP and JSON included)
              messages (mono Opus):      \(byKind.mono) bytes, \(String(format: "%.1f", byKind.monoKbps)) kbit/s
              whole calls (stereo Opus): \(byKind.stereo) bytes, \(String(format: "%.1f", byKind.stereoKbps)) kbit/s
              faxes (TIFF-F):            \(byKind.fax) bytes
              everything else (feed, headers, TLS): \(counts.fromBox - byKind.mono - byKind.stereo - byKind.fax) bytes
            \(String(format: "link time at %.0f kbit/s: %.1f minutes measured (%.1f s at %.0f×); %.1f minutes for the bytes alone", kbps, linkMinutes, wall, speedup, serialMinutes))
            compression: \(String(format: "%.1f", Double(day.wavBytes) / Double(max(byKind.mono + byKind.stereo, 1))))× smaller than the WAV recordings
            """)
    }

    /// A box identity and a central office identity under ROOT/tls, the box's uplink set to
    /// serve on loopback with them; returns the central office's TLS client settings.
    static func identities(in root: String, for config: inout BoxConfig) throws -> TLSConfiguration {
        for (name, role) in [("box", UplinkCertificate.Role.server), ("central", .client)] {
            let made = try UplinkCertificate.create(name: name, hosts: ["127.0.0.1"], days: 2, role: role)
            try FileManager.default.createDirectory(atPath: "\(root)/tls/\(name)", withIntermediateDirectories: true)
            try made.keyPEM.write(toFile: "\(root)/tls/\(name)/\(name).key", atomically: true, encoding: .utf8)
            try made.certificatePEM.write(toFile: "\(root)/tls/\(name)/\(name).crt", atomically: true, encoding: .utf8)
        }
        config.uplink = UplinkConfig(enabled: true, host: "127.0.0.1", port: 0, certificate: "\(root)/tls/box/box.crt", key: "\(root)/tls/box/box.key",
                                     trust: "\(root)/tls/central")
        return try UplinkTLS.client(certificate: "\(root)/tls/central/central.crt", key: "\(root)/tls/central/central.key", trust: "\(root)/tls/box/box.crt")
    }

    private func mediaBytes(_ config: BoxConfig) throws -> (mono: Int, stereo: Int, fax: Int, monoKbps: Double, stereoKbps: Double) {
        let store = try CaseStore(path: "\(config.dataDirectory)/cases.sqlite", prefix: config.nodePrefix)
        var out = (mono: 0, stereo: 0, fax: 0, monoKbps: 0.0, stereoKbps: 0.0)
        var seconds = (mono: 0.0, stereo: 0.0)
        for id in try store.changes(after: 0, limit: 1_000_000).filter({ $0.entity == "media" }).map(\.entityID) {
            guard let (m, _, form) = try store.mediaRecord(id), let form else { continue }
            switch m.kind {
            case .recording: out.mono += form.size; seconds.mono += Double(m.durationMs ?? 0) / 1000
            case .callRecording: out.stereo += form.size; seconds.stereo += Double(m.durationMs ?? 0) / 1000
            case .fax: out.fax += form.size
            }
        }
        out.monoKbps = Double(out.mono) * 8 / max(seconds.mono, 1) / 1000
        out.stereoKbps = Double(out.stereo) * 8 / max(seconds.stereo, 1) / 1000
        return out
    }
}

/// A district's day, written into a box's case store the way the call flows write it.
package struct DistrictDay {
    package var calls = 0, cases = 0, recordings = 0, faxPages = 0, changes = 0, wavBytes = 0
    package var recordedSeconds = 0.0

    package static let sentences = [
        "我要投诉,幸福小区门口的路灯坏了好几天了,晚上很黑,请尽快派人修理。",
        "你好,我想反映一下,我们楼下的饭店油烟很大,每天晚上都影响居民休息。",
        "市长你好,我建议在学校附近增加一个红绿灯,孩子们过马路太危险了。",
        "我家的自来水最近有很重的异味,已经两个星期了,希望有关部门来检查。",
        "我想咨询一下,办理居住证需要带哪些材料,在哪里办理。",
        "公交车十二路最近经常不按时到站,早上上班的人等了半个多小时。",
        "我们小区的垃圾已经三天没人清运了,天气热,味道非常大。",
        "谢谢你们上次帮我们解决了噪音的问题,我想再反映一个停车的问题。",
    ]

    /// Recordings vary in length around the mean, and add up to the day's minutes.
    package static let lengthVariation = [0.6, 1.4, 0.8, 1.2, 1.0]

    package static func make(in config: BoxConfig, calls: Int, recordedMinutes: Double, faxPages: Int) throws -> DistrictDay {
        var day = DistrictDay()
        let store = try CaseStore(path: "\(config.dataDirectory)/cases.sqlite", prefix: config.nodePrefix)
        let clips = try sentences.map { try Espeak.speak($0) }
        let noise = NoiseGenerator(levelDBm0: -55)
        var generator = SeededGenerator(seed: 12345)
        /// Speech clips with pauses over line noise, `seconds` long.
        func speech(seconds: Double) -> [Int16] {
            var out: [Int16] = []
            let target = Int(seconds * Double(SampleClock.rate))
            while out.count < target {
                out += clips[Int.random(in: 0..<clips.count, using: &generator)]
                out += [Int16](repeating: 0, count: Int.random(in: 4000...16000, using: &generator))
            }
            out.removeLast(out.count - target)
            out.withUnsafeMutableBufferPointer { noise.add(to: $0) }
            return out
        }
        // Half the recorded minutes are callers' messages, half whole calls (both sides).
        let messageCount = max(5, calls / 5), wholeCallCount = max(5, calls * 2 / 15)
        let messageSeconds = recordedMinutes * 30 / Double(messageCount), wholeCallSeconds = recordedMinutes * 30 / Double(wholeCallCount)
        let faxCalls = max(1, (faxPages + 4) / 5)
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        func time(_ s: Double) -> Date { start.addingTimeInterval(s) }
        var pagesLeft = faxPages
        for i in 0..<calls {
            let at = Double(i) * 86400 / Double(calls)
            let caller = CallerInfo(number: "138\(String(format: "%08d", 10_000_000 + i * 7919 % 90_000_000))", standard: "bell202")
            let call = try store.beginCall(line: i % 4, at: time(at), caller: caller)
            try store.answerCall(call, at: time(at + 10))
            var path = ["welcome", "auto_menu"], disposition = Disposition.answered
            if i < messageCount {
                let wav = "\(config.dataDirectory)/recordings/msg-\(i).wav"
                let samples = speech(seconds: messageSeconds * lengthVariation[i % lengthVariation.count])
                try WAVFile.write(samples, to: wav)
                day.recordedSeconds += Double(samples.count) / Double(SampleClock.rate)
                day.wavBytes += samples.count * 2
                day.recordings += 1
                _ = try store.createCase(kind: i % 3 == 0 ? .mayorMailbox : .complaint, call: call, callerNumber: caller.number,
                                         media: [NewMedia(kind: .recording, path: wav, durationMs: samples.count / 8)], at: time(at + 90))
                day.cases += 1
                path += ["complaint", "complaint_confirm"]
                disposition = .caseCreated
            } else if i < messageCount + faxCalls, pagesLeft > 0 {
                let n = min(5, pagesLeft)
                pagesLeft -= n
                let tiff = "\(config.dataDirectory)/recordings/fax-\(i).tif"
                // Letters (dense Chinese text) and charts, like what callers fax in.
                let text = String(repeating: sentences.joined(separator: "\n") + "\n", count: 5)
                let letter = try FaxTextRenderer(for: text).pages(text)
                try FaxDocument.write((0..<n).map { $0 % 2 == 0 ? letter[0] : FaxPage.testChart(number: $0 + 1, rows: 1100) }, to: tiff)
                _ = try store.createCase(kind: .fax, call: call, callerNumber: caller.number, media: [NewMedia(kind: .fax, path: tiff, pages: n)], at: time(at + 120))
                try store.recordFaxResult(call: call, direction: .receive, success: true, pages: n, reason: nil, document: nil, at: time(at + 120))
                day.faxPages += n
                day.cases += 1
                disposition = .faxReceived
            } else if i % 10 == 0 {
                try store.recordSurveyAnswer(call: call, survey: "satisfaction", question: "service", answer: "\(i % 4 + 1)", at: time(at + 40))
                try store.recordSurveyAnswer(call: call, survey: "satisfaction", question: "environment", answer: "\(i % 3 + 1)", at: time(at + 50))
                path += ["survey"]
            } else if i % 10 == 5 {
                try store.recordFaxResult(call: call, direction: .send, success: true, pages: 2, reason: nil, document: "consult_residence", at: time(at + 80))
                path += ["consult_menu", "fax_back"]
                disposition = .faxSent
            }
            if i < wholeCallCount {
                let left = speech(seconds: wholeCallSeconds * lengthVariation[i % lengthVariation.count])
                let right = speech(seconds: Double(left.count) / 8000)
                var stereo = [Int16](repeating: 0, count: left.count * 2)
                for k in 0..<left.count { stereo[2 * k] = left[k]; stereo[2 * k + 1] = right[k] }
                let wav = "\(config.dataDirectory)/recordings/call-\(i).wav"
                try WAVFile.write(stereo, to: wav, channels: 2)
                day.recordedSeconds += Double(left.count) / Double(SampleClock.rate)
                day.wavBytes += stereo.count * 2
                day.recordings += 1
                try store.addMedia(NewMedia(kind: .callRecording, path: wav, durationMs: left.count / 8), call: call, at: time(at + 150))
            }
            try store.finishCall(call, at: time(at + 160), disconnectReason: .loopCurrentLost, disposition: disposition, ivrPath: path, digits: "21#1")
            day.calls += 1
        }
        // The central office moves some of the day's cases on.
        for c in try store.cases().prefix(30) { _ = try store.setStatus(c.number, to: .inProgress, note: "desk 2", at: time(86_000)) }
        day.changes = try store.latestChange()
        return day
    }
}
