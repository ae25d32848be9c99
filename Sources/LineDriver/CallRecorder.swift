import DSP
import Foundation
import Synchronization
import SystemSupport

/// Writes the recordings of every line from one background thread. The frame thread only copies
/// samples into a recording's `SampleRing`; this thread drains the rings into WAV files and
/// patches each header after every write, so a file is valid and playable after a kill -9 at
/// any moment (it loses at most the last `interval`), and fsyncs every `durableEvery`.
public final class CallRecorder: @unchecked Sendable {
    // Unchecked: the recordings list, and every drain of a ring, happen under `state`'s lock;
    // the frame thread, the rings' only producer, never takes it.
    public final class Recording: @unchecked Sendable {
        // Unchecked: `ring` is the SPSC hand-over; the writer is used under the recorder's lock.
        public let path: String
        public let ring: SampleRing
        public let stereo: Bool
        fileprivate let writer: WAVWriter
        fileprivate var closing = false
        /// Reported once when writing starts failing, and once when it works again.
        fileprivate var failing = false
        /// Passes in a row that wrote audio while `failing`: a full disk that frees a few KiB
        /// now and then lets single writes through, and each must not read as a recovery.
        fileprivate var passesWritten = 0

        fileprivate init(path: String, stereo: Bool, seconds: Int) throws(WAVError) {
            self.path = path
            self.stereo = stereo
            writer = try WAVWriter(path: path, channels: stereo ? 2 : 1)
            ring = SampleRing(capacity: seconds * SampleClock.rate * (stereo ? 2 : 1))
        }

        /// Audio the writer could not keep up with (dropped, never blocking the line).
        public var lostSamples: Int { ring.lostSamples }
    }

    private struct State {
        var recordings: [Recording] = []
        var stopping = false
        var lastDurable = 0.0
    }

    private let state = Mutex(State())
    private let interval: Double
    private let durableEvery: Double
    private let recoveredAfter: Int
    private let finished = Atomic<Bool>(false)
    /// Write errors (a full disk, say), oldest first, for the log.
    public let errors = SPSCRing<String>(capacity: 64)

    /// `recoveredAfter`: passes in a row that must write audio before a failing recording is
    /// reported as writing again (10 passes of `interval`: a second).
    public init(interval: Double = 0.1, durableEvery: Double = 2, recoveredAfter: Int = 10) {
        self.interval = interval
        self.durableEvery = durableEvery
        self.recoveredAfter = recoveredAfter
        let thread = Thread { [self] in
            while !state.withLock({ $0.stopping }) {
                pass()
                Thread.sleep(forTimeInterval: interval)
            }
            pass()
            finished.store(true, ordering: .releasing)
        }
        thread.name = "recorder"
        thread.start()
    }

    /// A new recording; hand its `ring` to a channel with `.record(ring, stereo:)`. The ring
    /// holds `bufferSeconds` of audio, which is how long the writer may fall behind.
    public func start(path: String, stereo: Bool, bufferSeconds: Int = 4) throws(WAVError) -> Recording {
        let recording = try Recording(path: path, stereo: stereo, seconds: bufferSeconds)
        state.withLock { $0.recordings.append(recording) }
        return recording
    }

    /// Writes out what the ring holds and closes the file (durably). Send `.stopRecording` to
    /// the channel and wait for its `recordingStopped` first: until then the frame thread still
    /// holds the ring, and would be the one to free it.
    public func finish(_ recording: Recording) {
        state.withLock { s in
            recording.closing = true
            write(recording, durable: true)
            s.recordings.removeAll { $0 === recording }
        }
    }

    /// Writes out every ring now (the writer thread does this every `interval` anyway).
    public func pass() {
        let now = BootClock.seconds()
        state.withLock { s in
            let durable = now - s.lastDurable >= durableEvery
            if durable { s.lastDurable = now }
            for r in s.recordings { write(r, durable: durable) }
        }
    }

    /// Finishes every recording and stops the writer thread.
    public func shutdown() {
        state.withLock { s in
            for r in s.recordings { r.closing = true; write(r, durable: true) }
            s.recordings = []
            s.stopping = true
        }
        while !finished.load(ordering: .acquiring) { usleep(1000) }
    }

    private func write(_ r: Recording, durable: Bool) {
        var drained = 0
        r.ring.drain { samples in
            drained += samples.count
            r.writer.append(samples)
        }
        do {
            if r.closing { try r.writer.close() } else { try r.writer.sync(durable: durable) }
            // A pass with no audio only rewrites the header in place, which a full disk allows.
            guard r.failing, drained > 0 else { return }
            r.passesWritten += 1
            guard r.passesWritten >= recoveredAfter else { return }
            r.failing = false
            errors.push("\(r.path): writing again (\(r.writer.droppedBytes / 2 / (r.stereo ? 2 : 1)) samples were lost)")
        } catch {
            if !r.failing { errors.push(error.description) }
            r.failing = true
            r.passesWritten = 0
        }
    }
}
