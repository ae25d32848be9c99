import Foundation
import IVR
import Synchronization
import SystemSupport
import Yams

/// What the box does as the data disk fills: below `recordingFloor` whole-call recordings stop
/// (caller messages, faxes and cases go on); below `reserve` new calls hear the "service busy"
/// prompt and are hung up, so no caller gets dead air and what is stored stays whole. Each
/// level is left only once the free space is 10 % above its threshold, so a disk hovering at a
/// threshold does not flap; everything returns by itself once space is freed.
package struct DiskGuard: Sendable, Equatable {
    package enum Level: String, Sendable, Comparable {
        case ample
        case low
        case full

        package static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
        private var rank: Int { self == .ample ? 0 : self == .low ? 1 : 2 }
    }

    package var reserveBytes: Int
    package var recordingFloorBytes: Int
    package private(set) var level = Level.ample

    package init(reserveBytes: Int = 64 << 20, recordingFloorBytes: Int = 256 << 20) {
        self.reserveBytes = reserveBytes
        self.recordingFloorBytes = recordingFloorBytes
    }

    /// The level for `free` bytes; the new level when it changed.
    package mutating func update(freeBytes free: Int) -> Level? {
        let entering: Level = free < reserveBytes ? .full : free < recordingFloorBytes ? .low : .ample
        var next = max(level, entering)
        // Step down one level at a time, each only with a margin above its threshold.
        while next > entering {
            let threshold = next == .full ? reserveBytes : recordingFloorBytes
            guard free >= threshold + threshold / 10 else { break }
            next = next == .full ? .low : .ample
        }
        guard next != level else { return nil }
        level = next
        return next
    }

    /// What a technician reads in health and the log.
    package var warning: String? {
        switch level {
        case .ample: nil as String?
        case .low: "the data disk has less than \(recordingFloorBytes >> 20) MiB free: whole-call recordings are off until space is freed"
        case .full: "the data disk has less than \(reserveBytes >> 20) MiB free: new calls hear \"service busy\" and are hung up until space is freed"
        }
    }

    /// The `disk:` section: `reserve` and `recordings_floor` as sizes (64MB, 1GB).
    package mutating func parse(_ value: Node, _ y: YAMLReader) {
        for (k, v, l) in y.pairs(value, what: "disk") {
            switch k {
            case "reserve": reserveBytes = Self.size(v, k, y) ?? reserveBytes
            case "recordings_floor": recordingFloorBytes = Self.size(v, k, y) ?? recordingFloorBytes
            default: y.fail(l, "disk: unknown key \"\(k)\"")
            }
        }
        if recordingFloorBytes < reserveBytes { y.fail(value, "disk: recordings_floor must be at least reserve") }
    }

    private static func size(_ node: Node, _ field: String, _ y: YAMLReader) -> Int? {
        let text = (node.string ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        for (suffix, scale) in [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)] where text.hasSuffix(suffix) {
            if let n = Double(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n.isFinite, n >= 0, n * Double(scale) <= Double(1 << 50) {
                return Int(n * Double(scale))
            }
            break
        }
        y.fail(node, "disk: \"\(field)\" must be a size like 64MB or 1GB, at most 1 PB")
        return nil
    }
}

/// The data disk's free space, read by a thread of its own once a second (statvfs can stall
/// on a failing disk; the event thread only reads the last figure).
package final class DiskMonitor: Sendable {
    private let free = Atomic<Int>(Int.max)
    private let stopped = Atomic(false)

    package init(path: String) {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                if let bytes = DiskSpace.freeBytes(path) { free.store(bytes, ordering: .relaxed) }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        thread.name = "disk"
        thread.start()
    }

    package var freeBytes: Int { free.load(ordering: .relaxed) }

    package func stop() { stopped.store(true, ordering: .relaxed) }
}
