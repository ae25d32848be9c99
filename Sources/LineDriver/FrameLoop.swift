import DSP
import Foundation
import Synchronization
import SystemSupport

/// Runs one backend's channels, frame by frame, on one dedicated thread. Frames are the only
/// time on a call: in virtual mode they run as fast as the CPU allows (simulation, tests,
/// benchmarks); in real-time mode they are paced by the backend (DAHDI's blocking reads) or, for
/// the simulator, by a monotonic timer, and their lateness and deadline misses are measured.
public final class FrameLoop: @unchecked Sendable {
    // Unchecked: after `start`, only the loop's thread touches the channels and buffers; other
    // threads use the channels' rings, `stop` and `timing` (read after the thread has ended).
    public let backend: LineBackend
    public let channels: [LineChannel]
    private let rx: FrameBuffers
    private let tx: FrameBuffers
    /// Which channels the backend was last told are in a fax session.
    private var faxMode: [Bool]
    public private(set) var frame = 0
    private let running = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(true)
    /// Ticks once per frame: a watchdog can tell a stalled loop from a busy one.
    public let heartbeat = Atomic<Int>(0)
    public private(set) var timing = FrameTiming()
    /// When set (before `start`), the thread CPU time spent in the channels — the box's own
    /// work, without the backend — is added up in `channelCPUNanos`.
    public var measuresChannelCPU = false
    public private(set) var channelCPUNanos: UInt64 = 0

    /// What the thread could and could not get from the kernel, for one warning line each.
    public struct RealTimeReport: Sendable {
        public var schedFIFO: String?
        public var memoryLocked: String?
    }

    public init(backend: LineBackend, config: ChannelConfig) {
        self.backend = backend
        rx = FrameBuffers(channels: backend.channelCount)
        tx = FrameBuffers(channels: backend.channelCount)
        faxMode = [Bool](repeating: false, count: backend.channelCount)
        channels = (0..<backend.channelCount).map { ch in
            LineChannel(index: ch, config: config) { [unowned backend] command in backend.setHook(command, channel: ch) }
        }
    }

    /// Line time at the start of the next frame, in samples.
    public var now: Int { frame * LineFrame.samples }

    /// One frame, on the calling thread.
    public func step() {
        let time = now
        backend.receive(into: rx) { channel, event in channels[channel].signalling(event, at: time) }
        let started = measuresChannelCPU ? Self.threadCPUNanos() : 0
        for channel in channels {
            // A bridged line is sent what its peer heard (this frame's if the peer came first),
            // and silence once the peer has hung up.
            let bridged = channel.bridgedTo.flatMap { $0 < channels.count && channels[$0].isOffHook ? channels[$0].heard : nil }
            channel.process(rx: UnsafeBufferPointer(rx[channel.index]), tx: tx[channel.index], at: time, bridged: bridged)
            if channel.inFax != faxMode[channel.index] {
                faxMode[channel.index] = channel.inFax
                backend.setFaxMode(channel.inFax, channel: channel.index)
            }
        }
        if measuresChannelCPU { channelCPUNanos += Self.threadCPUNanos() - started }
        backend.transmit(tx)
        advanceClock()
    }

    /// Moves the line clock on one frame, for a caller that runs the backend and the channels
    /// itself (the frame-path allocation test).
    public func advanceClock() {
        frame += 1
        heartbeat.add(1, ordering: .relaxed)
    }

    /// Virtual mode on the calling thread: `frames` frames, no pacing.
    public func run(frames count: Int) {
        for _ in 0..<count { step() }
    }

    /// Starts the loop on its own thread. `realTime` paces it (and asks for SCHED_FIFO and locked
    /// memory, carrying on with a warning where they are refused); otherwise it runs in virtual
    /// time until `stop`. Returns once the thread has started, with what it was refused.
    public func start(realTime: Bool, priority: Int32 = 50) -> RealTimeReport {
        running.store(true, ordering: .sequentiallyConsistent)
        finished.store(false, ordering: .sequentiallyConsistent)
        let reported = SPSCRing<RealTimeReport>(capacity: 1)
        let thread = Thread { [self] in
            let report = realTime ? Self.becomeRealTime(priority: priority) : RealTimeReport()
            reported.push(report)
            if !realTime {
                while running.load(ordering: .relaxed) { step() }
            } else if backend.pacesItself {
                runBackendPaced()
            } else {
                runPaced()
            }
            finished.store(true, ordering: .releasing)
        }
        thread.name = "frames"
        thread.stackSize = 1 << 20
        thread.start()
        while true {
            if let report = reported.pop() { return report }
            usleep(1000)
        }
    }

    /// Stops the thread after its current frame and waits for it.
    public func stop() {
        running.store(false, ordering: .sequentiallyConsistent)
        while !finished.load(ordering: .acquiring) { usleep(1000) }
    }

    private func runPaced() {
        let period = UInt64(LineFrame.milliseconds) * 1_000_000
        var deadline = Self.monotonicNanos() + period
        while running.load(ordering: .relaxed) {
            Self.sleep(until: deadline)
            let woke = Self.monotonicNanos()
            step()
            let done = Self.monotonicNanos()
            timing.record(latenessMicros: Int(Int64(woke) - Int64(deadline)) / 1000,
                          processingMicros: Int(done - woke) / 1000, missed: done > deadline + period)
            deadline += period
            // After a stall, resynchronise rather than run a burst of late frames.
            if done > deadline + period { deadline = done + period }
        }
    }

    /// The backend's blocking reads are the clock; lateness is measured against the cadence the
    /// first frame set, so a backend that drifts or stalls shows up in `timing`.
    private func runBackendPaced() {
        let period = UInt64(LineFrame.milliseconds) * 1_000_000
        var expected = Self.monotonicNanos()
        while running.load(ordering: .relaxed) {
            let started = Self.monotonicNanos()
            step()
            let done = Self.monotonicNanos()
            let late = Int64(started) - Int64(expected)
            timing.record(latenessMicros: Int(late / 1000), processingMicros: Int(done - started) / 1000, missed: done > expected + 2 * period)
            expected = late > Int64(period) ? started + period : expected + period
        }
    }

    private static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public static func threadCPUNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    private static func sleep(until nanos: UInt64) {
        var ts = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    private static func becomeRealTime(priority: Int32) -> RealTimeReport {
        var report = RealTimeReport()
        var param = sched_param()
        param.sched_priority = priority
        let rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param)
        if rc != 0 { report.schedFIFO = "SCHED_FIFO refused (\(String(cString: strerror(rc)))): frames run at normal priority" }
        // MCL_ONFAULT: lock pages as they are touched, instead of faulting in every mapped
        // library at once (ICU alone would add tens of MB of resident memory).
        if mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0 {
            report.memoryLocked = "mlockall refused (\(SystemError.last("mlockall").errno)): memory may be paged out"
        }
        return report
    }
}
