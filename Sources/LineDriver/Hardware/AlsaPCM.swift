import CAlsa
import DSP
import Foundation

/// One direction of an ALSA PCM opened for line audio: 8 kHz S16 mono, one 20 ms frame per
/// read or write, xruns recovered in place. Reads and writes allocate nothing (frame thread).
package final class AlsaPCM {
    private let pcm: OpaquePointer

    /// `bufferMs`: the device buffer. Capture starts with the first read; playback once half the
    /// buffer is queued, the other half being room for a late frame.
    package init(_ name: String, capture: Bool, bufferMs: Int, what: String) throws(AlsaGpioBackend.OpenError) {
        let stream = capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK
        var opened: OpaquePointer?
        var rc = snd_pcm_open(&opened, name, stream, 0)
        guard rc >= 0, let opened else {
            throw AlsaGpioBackend.OpenError(description: "\(what): cannot open ALSA PCM \"\(name)\" for \(capture ? "capture" : "playback"): \(String(cString: snd_strerror(rc)))")
        }
        rc = snd_pcm_set_params(opened, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, UInt32(SampleClock.rate), 1, UInt32(bufferMs * 1000))
        // `snd_pcm_set_params` starts a stream only once a whole buffer is queued: a capture read
        // of one frame would never start the device, and alsa-lib would wait out its I/O timeout
        // and fail, over and over, hearing nothing.
        let threshold = capture ? 1 : max(1, bufferMs / 2 / LineFrame.milliseconds) * LineFrame.samples
        if rc >= 0 { rc = Self.setStartThreshold(opened, frames: threshold) }
        guard rc >= 0 else {
            snd_pcm_close(opened)
            throw AlsaGpioBackend.OpenError(description: "\(what): ALSA PCM \"\(name)\" refuses 8 kHz S16 mono with a \(bufferMs) ms buffer: \(String(cString: snd_strerror(rc)))")
        }
        pcm = opened
    }

    deinit { snd_pcm_close(pcm) }

    private static func setStartThreshold(_ pcm: OpaquePointer, frames: Int) -> Int32 {
        var sw: OpaquePointer?
        guard snd_pcm_sw_params_malloc(&sw) == 0, let sw else { return -ENOMEM }
        defer { snd_pcm_sw_params_free(sw) }
        var rc = snd_pcm_sw_params_current(pcm, sw)
        if rc >= 0 { rc = snd_pcm_sw_params_set_start_threshold(pcm, sw, snd_pcm_uframes_t(frames)) }
        if rc >= 0 { rc = snd_pcm_sw_params(pcm, sw) }
        return rc
    }

    /// Reads one frame, blocking until it is there. After an overrun (or any error) the device is
    /// recovered and the rest of the frame is silence; returns false then.
    package func read(into frame: UnsafeMutableBufferPointer<Int16>) -> Bool {
        var got = 0
        while got < frame.count {
            let n = snd_pcm_readi(pcm, frame.baseAddress! + got, snd_pcm_uframes_t(frame.count - got))
            if n > 0 { got += n; continue }
            snd_pcm_prepare(pcm)
            UnsafeMutableBufferPointer(rebasing: frame[got...]).update(repeating: 0)
            return false
        }
        return true
    }

    /// Writes one frame. After an underrun the device is recovered and the frame written again,
    /// once; returns false when there was an underrun.
    package func write(_ frame: UnsafeMutableBufferPointer<Int16>) -> Bool {
        var sent = 0
        var clean = true
        while sent < frame.count {
            let n = snd_pcm_writei(pcm, frame.baseAddress! + sent, snd_pcm_uframes_t(frame.count - sent))
            if n > 0 { sent += n; continue }
            if !clean { break }
            clean = false
            snd_pcm_prepare(pcm)
        }
        return clean
    }
}
