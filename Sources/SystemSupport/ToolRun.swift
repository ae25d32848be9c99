import Foundation

/// An external tool run to completion within a time limit; what it said on stderr (kept in a
/// file beside its output, the first 4 kB) is the failure.
package enum ToolRun {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        package init(description: String) { self.description = description }
    }

    /// Runs `tool`; its standard output goes to `outputFile` when one is given (else nowhere).
    package static func run(_ tool: String, _ arguments: [String], limit seconds: Double, errorFile: String, outputFile: String? = nil) throws {
        let name = (tool as NSString).lastPathComponent
        FileManager.default.createFile(atPath: errorFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
        if let outputFile {
            FileManager.default.createFile(atPath: outputFile, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { throw Failure(description: "cannot run \(tool): \(error)") }
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            finished.wait()
            throw Failure(description: "\(name) took longer than \(Int(seconds)) s")
        }
        guard process.terminationStatus == 0 else {
            let said = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: errorFile)).read(upToCount: 4096)) ?? nil
            let words = String(decoding: said ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "\(name) failed (status \(process.terminationStatus)): \(words)")
        }
    }
}
