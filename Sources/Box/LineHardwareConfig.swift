import IVR
import LineDriver
import Yams

/// The `hardware:` section (docs/HARDWARE.md): `simulated`, or a DAHDI card's channels, or an
/// ALSA codec's PCMs with the GPIO lines of each telephone line.
package enum LineHardwareConfig {
    package static func parse(_ value: Yams.Node, _ y: YAMLReader) -> BoxConfig.LineHardware {
        if value.string == "simulated" { return .simulated }
        let pairs = y.pairs(value, what: "hardware")
        guard pairs.count == 1, let (kind, body, line) = pairs.first else {
            y.fail(value, "hardware: simulated, or one of dahdi: / alsa:")
            return .simulated
        }
        switch kind {
        case "dahdi": return dahdi(body, y)
        case "alsa": return alsa(body, y)
        default:
            y.fail(line, "hardware: unknown kind \"\(kind)\" (dahdi or alsa)")
            return .simulated
        }
    }

    private static func dahdi(_ body: Yams.Node, _ y: YAMLReader) -> BoxConfig.LineHardware {
        var numbers: [Int] = []
        var taps = 128
        for (k, v, l) in y.pairs(body, what: "dahdi") {
            switch k {
            case "channels":
                numbers = channelList(v, y)
            case "echo_cancel":
                taps = y.int(v, k, in: "dahdi", range: 0...1024) ?? taps
            case "signalling":
                // system.conf decides the signalling; the box only works FXO ports.
                if !["fxs_ks", "fxs_ls"].contains(v.string ?? "") { y.fail(v, "dahdi: signalling must be fxs_ks or fxs_ls (an FXO port facing the exchange)") }
            default: y.fail(l, "dahdi: unknown key \"\(k)\"")
            }
        }
        if numbers.isEmpty { y.fail(body, "dahdi: channels must list the card's FXO channels, e.g. [1, 2, 3, 4] or 1-4") }
        return .dahdi(numbers.map { DahdiBackend.Channel(number: $0, echoCancelTaps: taps) })
    }

    /// `[1, 2, 3]` or `1-4`.
    private static func channelList(_ v: Yams.Node, _ y: YAMLReader) -> [Int] {
        if let list = v.sequence {
            let numbers = list.compactMap { $0.string.flatMap(Int.init) }
            if numbers.count != list.count || numbers.contains(where: { !(1...1024).contains($0) }) { y.fail(v, "dahdi: channels must be numbers 1-1024") }
            return numbers
        }
        let parts = (v.string ?? "").split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1], parts[1] - parts[0] < 120 else {
            y.fail(v, "dahdi: channels must be a list or a range like 1-4")
            return []
        }
        return Array(parts[0]...parts[1])
    }

    private static func alsa(_ body: Yams.Node, _ y: YAMLReader) -> BoxConfig.LineHardware {
        var lines: [AlsaGpioBackend.Line] = []
        var paced = true
        for (k, v, l) in y.pairs(body, what: "alsa") {
            switch k {
            case "paced_by_device":
                paced = y.bool(v, k, in: "alsa") ?? paced
            case "lines":
                guard let list = v.sequence else { y.fail(v, "alsa: lines must be a list, one entry per telephone line"); continue }
                for entry in list {
                    var pcm: String?, capture: String?, playback: String?, hook: String?, ring: String?, sense: String?
                    var ringLow = false, hookLow = false, senseLow = false, bufferMs = 80
                    for (lk, lv, ll) in y.pairs(entry, what: "alsa line") {
                        switch lk {
                        case "pcm": pcm = y.string(lv, lk, in: "alsa line", at: ll)
                        case "capture": capture = y.string(lv, lk, in: "alsa line", at: ll)
                        case "playback": playback = y.string(lv, lk, in: "alsa line", at: ll)
                        case "hook": hook = y.string(lv, lk, in: "alsa line", at: ll)
                        case "ring": ring = y.string(lv, lk, in: "alsa line", at: ll)
                        case "loop_sense": sense = y.string(lv, lk, in: "alsa line", at: ll)
                        case "ring_active_low": ringLow = y.bool(lv, lk, in: "alsa line") ?? ringLow
                        case "hook_active_low": hookLow = y.bool(lv, lk, in: "alsa line") ?? hookLow
                        case "loop_sense_active_low": senseLow = y.bool(lv, lk, in: "alsa line") ?? senseLow
                        case "buffer": bufferMs = y.duration(lv, lk, in: "alsa line", range: 40...500) ?? bufferMs
                        default: y.fail(ll, "alsa line: unknown key \"\(lk)\"")
                        }
                    }
                    guard let c = capture ?? pcm, let p = playback ?? pcm, let hook, let ring else {
                        y.fail(entry, "alsa line: needs pcm (or capture and playback), hook and ring")
                        continue
                    }
                    var line = AlsaGpioBackend.Line(capture: c, playback: p, hookRelay: hook, ringDetect: ring, loopSense: sense)
                    line.ringActiveLow = ringLow
                    line.hookActiveLow = hookLow
                    line.loopSenseActiveHigh = !senseLow
                    line.bufferMs = bufferMs
                    lines.append(line)
                }
            default: y.fail(l, "alsa: unknown key \"\(k)\"")
            }
        }
        if lines.isEmpty { y.fail(body, "alsa: lines must list at least one telephone line") }
        return .alsa(lines, pacedByDevice: paced)
    }
}
