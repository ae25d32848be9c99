import COpusEnc
import DSP
import Foundation
import SystemSupport

/// Recordings go upstream as Ogg Opus: speech at 8 kHz needs about a tenth of the bytes of
/// 16-bit PCM (docs/UPLINK.md has the figures). Encoding happens off the frame thread, when the
/// central office first asks for a recording.
package enum OpusRecording {
    package struct EncodeError: Error, CustomStringConvertible {
        package var path: String
        package var reason: String
        package var description: String { "\(path): cannot encode as Opus: \(reason)" }
    }

    /// Bits per second per channel: narrowband speech stays intelligible well below this.
    package static let bitsPerChannel = 10_000

    /// Encodes a WAV recording (mono message, or stereo whole call) into `path`, written under a
    /// temporary name and renamed, so a crash never leaves a half file under the final name.
    /// The Ogg serial number is fixed so that the same recording always encodes the same bytes.
    package static func encode(wav: String, channels: Int, to path: String, serial: Int32) throws {
        let samples = try WAVFile.read(wav, channels: channels)
        let temporary = path + ".tmp"
        var error: Int32 = 0
        guard let comments = ope_comments_create() else { throw EncodeError(path: wav, reason: "out of memory") }
        defer { ope_comments_destroy(comments) }
        _ = ope_comments_add(comments, "ENCODER", "12345 hotline node")
        guard let encoder = ope_encoder_create_file(temporary, comments, Int32(SampleClock.rate), Int32(channels), 0, &error) else {
            throw EncodeError(path: wav, reason: String(cString: ope_strerror(error)))
        }
        var ok = copusenc_set_bitrate(encoder, Int32(bitsPerChannel * channels)) == OPE_OK
            && copusenc_set_voice(encoder) == OPE_OK && copusenc_set_serialno(encoder, serial) == OPE_OK
        if ok {
            ok = samples.withUnsafeBufferPointer { ope_encoder_write(encoder, $0.baseAddress, Int32($0.count / channels)) } == OPE_OK
                && ope_encoder_drain(encoder) == OPE_OK
        }
        ope_encoder_destroy(encoder)
        guard ok else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw EncodeError(path: wav, reason: "the encoder refused the audio")
        }
        try DurableFile.sync(temporary)
        try DurableFile.move(temporary, to: path)
    }
}
