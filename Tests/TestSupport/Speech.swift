import DSP
import Foundation

/// Mandarin speech from espeak-ng at 8 kHz: real speech for talk-off, false-busy and voice
/// tests. Spoken once per test process (tests run in parallel and share it).
public enum Speech {
    /// At least `seconds` of speech, the same passage repeated.
    public static func mandarin(seconds: Int) throws -> [Int16] {
        let one = try spokenOnce.get()
        var out: [Int16] = []
        while out.count < seconds * SampleClock.rate { out += one }
        return Array(out.prefix(seconds * SampleClock.rate))
    }

    /// A WAV file of `seconds` of speech in `directory`.
    public static func mandarinWAV(seconds: Int, in directory: ScratchDirectory, name: String = "speech.wav") throws -> String {
        let path = directory.path(name)
        try WAVFile.write(try mandarin(seconds: seconds), to: path)
        return path
    }

    private static let spokenOnce = Result<[Int16], any Error> {
        let text = "市民可以通过该热线向政府部门提出建议、意见或进行投诉、举报等事项。选择人工服务请按一,自动服务请按二。"
            + "选择市长信箱留言请按一,自动投诉举报请按二,投诉查询请按三,服务咨询请按四,民意调查请按五。"
            + "提供政策法规,城市指南、办事指南、投资指南及查询有关部门职能范围等咨询服务。"
        let dir = try ScratchDirectory()
        let wide = dir.path("speech-22k.wav"), narrow = dir.path("speech-8k.wav")
        try Tool.require("/usr/bin/espeak-ng", ["-v", "cmn", "-s", "150", "-w", wide, text])
        try Tool.require("/usr/bin/sox", [wide, "-r", "8000", "-c", "1", "-b", "16", narrow])
        return try WAVFile.read(narrow)
    }
}

/// A fresh directory per test, removed when the value goes away.
public final class ScratchDirectory: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-test-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Running other programs from tests.
public enum Tool {
    public struct Output: Sendable { public var status: Int32; public var stdout: String; public var stderr: String }

    public struct Failed: Error, CustomStringConvertible {
        public var command: String
        public var stderr: String
        public var description: String { "\(command) failed: \(stderr)" }
    }

    public static func run(_ tool: String, _ arguments: [String]) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = try out.fileHandleForReading.readToEnd() ?? Data(), e = try err.fileHandleForReading.readToEnd() ?? Data()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    public static func require(_ tool: String, _ arguments: [String]) throws {
        let r = try run(tool, arguments)
        if r.status != 0 { throw Failed(command: ([tool] + arguments).joined(separator: " "), stderr: r.stderr) }
    }

    /// An executable of this package built beside the test bundle (`swift build --build-tests`).
    public static func built(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// What ships on the box.
    public static var appliance: String { built("appliance") }
    /// Simulation and bench tools.
    public static var lab: String { built("hotline-lab") }
    /// The central office.
    public static var central: String { built("hotline-central") }

    public static func appliance(_ arguments: String...) throws -> Output { try run(appliance, arguments) }
    public static func lab(_ arguments: String...) throws -> Output { try run(lab, arguments) }
    public static func central(_ arguments: String...) throws -> Output { try run(central, arguments) }
}
