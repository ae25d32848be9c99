import DSP
import Foundation

/// Speech from espeak-ng (Mandarin by default), at the line's 8 kHz.
package enum Espeak {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package static func speak(_ text: String, voice: String = "cmn", wordsPerMinute: Int = 150) throws -> [Int16] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("espeak-\(getpid())-\(UUID()).wav").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/espeak-ng")
        process.arguments = ["-v", voice, "-s", "\(wordsPerMinute)", "-w", path, text]
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw Failure(description: "cannot run espeak-ng (install it with: apt-get install espeak-ng): \(error)") }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "espeak-ng failed for voice \(voice)") }
        do { return Resampler.toLineRate(try WAVFile.read(path, sampleRate: 22050), from: 22050) } catch { throw Failure(description: error.description) }
    }
}
