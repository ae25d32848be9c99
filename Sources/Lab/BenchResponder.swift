import DSP
import Foundation
import LineDriver

/// The box's side of the benchmark's traffic: a stand-in for the IVR with the same load —
/// it answers with a prompt that DTMF can interrupt, records every call in stereo, plays another
/// prompt at each `#`, and finishes the recording when the call ends.
package final class BenchResponder {
    private let loop: FrameLoop
    private let recorder: CallRecorder
    private let prompt: PromptAudio
    private let directory: String
    private var recordings: [Int: CallRecorder.Recording] = [:]
    package private(set) var answered = 0, ended = 0, digits = 0, recordedBytes = 0, lostSamples = 0
    private var callNumber = 0

    package init(loop: FrameLoop, recorder: CallRecorder, prompt: PromptAudio, directory: String) {
        self.loop = loop
        self.recorder = recorder
        self.prompt = prompt
        self.directory = directory
    }

    /// Handles whatever the channels reported since the last call.
    package func poll() {
        for channel in loop.channels {
            while let event = channel.events.pop() { handle(event, channel) }
        }
    }

    private func handle(_ event: ChannelEvent, _ channel: LineChannel) {
        switch event.kind {
        case .answered:
            answered += 1
            callNumber += 1
            if let recording = try? recorder.start(path: "\(directory)/line\(channel.index)-call\(callNumber).wav", stereo: true) {
                recordings[channel.index] = recording
                channel.commands.push(.record(recording.ring, stereo: true, tap: .call))
            }
            channel.commands.push(.play(prompt, id: 1, bargeIn: true))
        case .digit(let d):
            digits += 1
            if d.digit == "#" { channel.commands.push(.play(prompt, id: 2, bargeIn: true)) }
        case .disconnected:
            ended += 1
            channel.commands.push(.stopRecording(.call))
        case .recordingStopped(.call):
            if let recording = recordings.removeValue(forKey: channel.index) {
                recorder.finish(recording)
                lostSamples += recording.lostSamples
                recordedBytes += (try? FileManager.default.attributesOfItem(atPath: recording.path)[.size] as? Int) ?? 0
            }
        default:
            break
        }
    }
}
