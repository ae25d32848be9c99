import DSP
import Foundation
import TestSupport

/// Signals made by other tools than the box's own generators: sox for tones and DTMF, netpbm
/// and libtiff for fax pages, and a small independent Bell 202 encoder in Python for caller ID.
package struct ForeignSignals {
    package let scratch: ScratchDirectory

    package init() throws { scratch = try ScratchDirectory() }

    package func path(_ name: String) -> String { scratch.path(name) }

    /// DTMF digits, 80 ms each with 50 ms of silence either side, −12 dB below sox's full scale.
    package func soxDTMF(_ digits: String) throws -> String {
        let low: [Character: Int] = ["1": 697, "2": 697, "3": 697, "4": 770, "5": 770, "6": 770, "7": 852, "8": 852, "9": 852, "*": 941, "0": 941, "#": 941]
        let high: [Character: Int] = ["1": 1209, "4": 1209, "7": 1209, "*": 1209, "2": 1336, "5": 1336, "8": 1336, "0": 1336, "3": 1477, "6": 1477, "9": 1477, "#": 1477]
        var parts: [String] = []
        for (i, d) in digits.enumerated() {
            let part = path("digit\(i).wav")
            try Tool.require("/usr/bin/sox", ["-n", "-r", "8000", "-b", "16", "-c", "1", part, "synth", "0.08",
                                              "sine", "\(low[d]!)", "sine", "\(high[d]!)", "remix", "-", "gain", "-12", "pad", "0.05", "0.05"])
            parts.append(part)
        }
        let out = path("dtmf.wav")
        try Tool.require("/usr/bin/sox", parts + [out])
        return out
    }

    /// `sox synth` of a tone with on/off cadence; `lead` seconds of silence first.
    package func soxTone(_ name: String, hz: Int, on: Double, off: Double, repeats: Int, lead: Double = 0, gain: Int = -15) throws -> String {
        let out = path(name)
        try Tool.require("/usr/bin/sox", ["-n", "-r", "8000", "-b", "16", "-c", "1", out, "synth", "\(on)", "sine", "\(hz)",
                                          "gain", "\(gain)", "pad", "0", "\(off)", "repeat", "\(repeats)", "pad", "\(lead)", "0"])
        return out
    }

    /// Converts to another format with sox (to check the error names it).
    package func soxConvert(_ input: String, _ name: String, _ options: [String]) throws -> String {
        let out = path(name)
        try Tool.require("/usr/bin/sox", [input] + options + [out])
        return out
    }

    /// A two-page TIFF-F of text made by netpbm, compressed by libtiff's tiffcp.
    package func netpbmFax() throws -> String {
        let plain = path("page.tif"), out = path("fax.tif")
        try Tool.require("/bin/sh", ["-c", "pbmtext -builtin fixed '12345 HOTLINE FAX TEST' | pnmpad -white -width 1728 -height 400 | pnmtotiff -none -miniswhite -xresolution 204 -yresolution 196 -resolutionunit inch > '\(plain)'"])
        try Tool.require("/usr/bin/tiffcp", ["-c", "g3:1d", plain, plain, out])
        return out
    }

    /// Bell 202 caller ID written by an independent encoder: channel seizure, marks, 8N1 bytes
    /// of an MDMF (or SDMF) message with its checksum, phase-continuous FSK at 1200 baud.
    package func pythonBell202(number: String, name: String?, stamp: String, sdmf: Bool = false, dBm0: Double = -13) throws -> String {
        let out = path("cid.wav")
        try Tool.require("/usr/bin/python3", ["-c", Self.bell202Encoder, out, number, name ?? "", stamp, sdmf ? "sdmf" : "mdmf", "\(dBm0)"])
        return out
    }

    /// A spill from the box's own generator, for checks that are not about foreign encoders.
    package func ownGenerator(standard: String) throws -> String {
        let id = CallerID(standard: CallerIDStandard(rawValue: standard)!, format: standard == "bell202" ? .mdmf : nil,
                          number: "13800001111", dateTime: CallerIDDateTime(month: 1, day: 2, hour: 3, minute: 4))
        let audio = [Int16](repeating: 0, count: 1600) + (try CallerIDGenerator(standard: id.standard).render(id)) + [Int16](repeating: 0, count: 1600)
        let out = path("own-\(standard).wav")
        try WAVFile.write(audio, to: out)
        return out
    }

    package static let bell202Encoder = #"""
import math, struct, sys, wave
out, number, name, stamp, kind, level = sys.argv[1:7]
if kind == "sdmf":
    body = (stamp + number).encode()
    msg = bytes([0x04, len(body)]) + body
else:
    params = bytes([0x01, 8]) + stamp.encode() + bytes([0x02, len(number)]) + number.encode()
    if name:
        params += bytes([0x07, len(name)]) + name.encode()
    msg = bytes([0x80, len(params)]) + params
msg += bytes([(-sum(msg)) & 0xFF])
bits = [i % 2 for i in range(300)] + [1] * 180
for b in msg:
    bits += [0] + [(b >> i) & 1 for i in range(8)] + [1]
bits += [1] * 10
peak = 32767 * 10 ** ((float(level) - 3.14) / 20)
rate, baud, phase, samples = 8000, 1200, 0.0, []
n = int(len(bits) * rate / baud)
for i in range(n):
    f = 1200 if bits[int(i * baud / rate)] else 2200
    phase += 2 * math.pi * f / rate
    samples.append(int(round(peak * math.sin(phase))))
silence = [0] * 2000
with wave.open(out, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(struct.pack("<%dh" % (len(samples) + 4000), *(silence + samples + silence)))
"""#
}
