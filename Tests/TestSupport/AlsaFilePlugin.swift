import Foundation

/// alsa-lib configured with a `file` plugin PCM: capture from a raw file, playback into a WAV,
/// through the real library (testing-without-hardware.md). Test suites run concurrently in one
/// process and alsa-lib reads one configuration, so every plugin gets its own PCM name in one
/// shared file, which alsa-lib rereads when it changes.
public struct AlsaFilePlugin: Sendable {
    public let pcm: String
    private static let registry = Registry()

    public init(infile: String, outfile: String) throws {
        pcm = try Self.registry.add(infile: infile, outfile: outfile)
    }

    private final class Registry: @unchecked Sendable {
        // Unchecked: guarded by its lock.
        private let lock = NSLock()
        private var count = 0
        private let file = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-alsa-\(getpid()).conf").path

        func add(infile: String, outfile: String) throws -> String {
            lock.lock()
            defer { lock.unlock() }
            count += 1
            let name = "hotline_line_\(count)"
            let text = """
                pcm.\(name)_capture { type file slave.pcm "null" file "/dev/null" infile "\(infile)" format "raw" }
                pcm.\(name)_playback { type file slave.pcm "null" file "\(outfile)" format "wav" }
                pcm.\(name) { type asym capture.pcm "\(name)_capture" playback.pcm "\(name)_playback" }

                """
            let old = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            try (old + text).write(toFile: file, atomically: true, encoding: .utf8)
            setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:\(file)", 1)
            return name
        }
    }
}
